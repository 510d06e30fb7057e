import type { Agent } from '../agent/types.js';
import type { Logger } from '../config/logger.js';
import { AppError, isAppError } from '../errors.js';
import type { Channel, Db } from '../store/schema.js';
import type { Store } from '../store/types.js';
import type { Caller } from '../support/caller.js';
import { setLedger, toInbound, type PendingMessage } from './ledger.js';
import { secretWarning } from './redact.js';
import { REPLIES } from './replies.js';
import { newConversation } from './transcripts.js';
import type { ConnectTools, DeliverPort, IdentityResolver, OutboundReply, StaffNotifier } from './types.js';

export interface TurnDeps {
  store: Store;
  agent: Agent;
  connectTools: ConnectTools;
  resolvers: Partial<Record<Channel, IdentityResolver>>;
  delivery: Record<string, DeliverPort>;
  staff?: StaffNotifier | undefined;
  log: Logger;
  now: () => string;
  /** Pause between delivery attempts (tests shorten it). */
  deliveryRetryMs: number;
  /** True once conversations is stopping: a turn finishing late records its reply but leaves delivery to the next start. */
  isStopped: () => boolean;
}

/** What became of one attempt at a queued message. */
export type TurnOutcome = 'done' | 'failed' | 'retry';

const HOLDING = 'holdingSentAt';
const WARNED = 'secretWarningSentAt';

/** Which channel delivers a thread: the threadKey's prefix (`slack:…` → `slack`). */
export function deliveryFor(delivery: Record<string, DeliverPort>, threadKey: string): DeliverPort {
  const i = threadKey.indexOf(':');
  const prefix = i < 0 ? threadKey : threadKey.slice(0, i);
  const port = delivery[prefix];
  if (!port) throw new AppError('not_found', `No channel delivers threads of kind '${prefix}'`, { threadKey });
  return port;
}

function isOutage(err: unknown): boolean {
  return isAppError(err, 'unavailable') || isAppError(err, 'rate_limited');
}

function reasonOf(err: unknown): string {
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error';
}

function threadMeta(db: Readonly<Db>, threadKey: string, key: string): unknown {
  return db.conversations[threadKey]?.meta[key];
}

export function createTurnRunner(deps: TurnDeps) {
  const { store, log } = deps;

  async function deliver(threadKey: string, reply: OutboundReply, attempts = 3): Promise<void> {
    for (let i = 1; ; i++) {
      try {
        await deliveryFor(deps.delivery, threadKey).deliver(threadKey, reply);
        return;
      } catch (err) {
        if (i >= attempts || isAppError(err, 'not_found')) throw err;
        log.warn({ threadKey, kind: reply.kind, attempt: i, err: reasonOf(err) }, 'delivery failed, retrying');
        await new Promise((r) => setTimeout(r, deps.deliveryRetryMs * i));
      }
    }
  }

  async function resolveCaller(p: PendingMessage): Promise<Caller> {
    const resolver = deps.resolvers[p.channel];
    if (!resolver) return { kind: 'anonymous' };
    return resolver.resolve(p.sender, toInbound(p));
  }

  /** Create or refresh the thread's conversation record (who it is for, channel facts). */
  async function touchThread(p: PendingMessage, caller: Caller): Promise<void> {
    const now = deps.now();
    await store.update((db) => {
      const c = db.conversations[p.threadKey] ?? newConversation(db, p.threadKey, p.channel, now);
      c.callerKind = caller.kind;
      if (caller.kind === 'customer') c.customerId = caller.customerId;
      if (p.meta) c.meta = { ...c.meta, ...p.meta };
      c.updatedAt = now;
    });
  }

  async function setThreadFlag(threadKey: string, key: string, value: string | undefined): Promise<void> {
    await store.update((db) => {
      const c = db.conversations[threadKey];
      if (!c) return;
      if (value === undefined) delete c.meta[key];
      else c.meta[key] = value;
    });
  }

  async function postApprovals(p: PendingMessage, ids: string[]): Promise<void> {
    if (!deps.staff) return;
    for (const id of ids) {
      const approval = store.read().approvals.find((a) => a.id === id);
      if (!approval) {
        log.warn({ approvalId: id, threadKey: p.threadKey }, 'approval from turn not found');
        continue;
      }
      try {
        await deps.staff.approvalRequested(approval);
      } catch (err) {
        log.error({ approvalId: id, err: reasonOf(err) }, 'could not post approval to staff');
      }
    }
  }

  async function alert(text: string, details: Record<string, unknown>): Promise<void> {
    if (!deps.staff) return;
    try {
      await deps.staff.alert(text, details);
    } catch (err) {
      log.error({ err: reasonOf(err) }, 'could not alert staff');
    }
  }

  /** Finish a message whose turn has run: post its approvals to staff, deliver the stored reply, mark done. */
  async function finish(p: PendingMessage): Promise<TurnOutcome> {
    const reply = p.reply;
    if (!reply) throw new AppError('internal', 'finish without a reply');
    // Staff first, so the approval is on their screen by the time the customer reads "sent for approval".
    if (reply.approvalIds.length > 0 && !reply.approvalsPosted) {
      await postApprovals(p, reply.approvalIds);
      reply.approvalsPosted = true;
      await store.update((db) => setLedger(db, p.id, { message: p }, deps.now()));
    }
    try {
      await deliver(p.threadKey, { text: reply.text, kind: 'reply', inReplyToId: p.id });
    } catch (err) {
      log.error({ messageId: p.id, threadKey: p.threadKey, err: reasonOf(err) }, 'reply could not be delivered');
      await store.update((db) => setLedger(db, p.id, { status: 'failed', reason: `delivery failed: ${reasonOf(err)}` }, deps.now()));
      await alert('A reply could not be delivered to a customer', { threadKey: p.threadKey, messageId: p.id });
      return 'failed';
    }
    await store.update((db) => setLedger(db, p.id, { status: 'done', reason: reply.handoff ? 'handoff' : undefined }, deps.now()));
    if (reply.handoff) await alert('A conversation was handed off to a person', { threadKey: p.threadKey, messageId: p.id });
    log.info({ messageId: p.id, threadKey: p.threadKey, handoff: reply.handoff, approvals: reply.approvalIds.length }, 'message answered');
    return 'done';
  }

  /** One attempt at the message at the head of its thread. Never throws: an unexpected error (e.g. the store
   * cannot write) leaves the message queued for a retry after backoff. */
  async function run(p: PendingMessage): Promise<TurnOutcome> {
    try {
      return await attempt(p);
    } catch (err) {
      p.attempts += 1;
      log.error({ messageId: p.id, threadKey: p.threadKey, err: reasonOf(err) }, 'could not finish a message; it stays queued');
      return 'retry';
    }
  }

  async function attempt(p: PendingMessage): Promise<TurnOutcome> {
    if (p.reply) return finish(p); // the turn ran before a crash; only the delivery is left
    let session: { close(): Promise<void> } | undefined;
    try {
      const caller = await resolveCaller(p);
      await touchThread(p, caller);
      if (p.redactions.length > 0 && !threadMeta(store.read(), p.threadKey, WARNED)) {
        await deliver(p.threadKey, { text: secretWarning(p.redactions), kind: 'notice', inReplyToId: p.id });
        await setThreadFlag(p.threadKey, WARNED, deps.now());
      }
      const s = await deps.connectTools(caller, { threadKey: p.threadKey, channel: p.channel });
      session = s;
      const result = await deps.agent.runTurn({
        messageId: p.id, threadKey: p.threadKey, channel: p.channel, caller, text: p.text, tools: s.client,
      });
      p.reply = { text: result.reply, approvalIds: result.approvalIds, handoff: result.handoff };
      await store.update((db) => {
        setLedger(db, p.id, { message: p }, deps.now());
        const c = db.conversations[p.threadKey];
        if (c) delete c.meta[HOLDING]; // the thread's outage (if any) is over
      });
      if (deps.isStopped()) return 'retry';
    } catch (err) {
      if (isOutage(err)) return onOutage(p, err);
      log.error({ messageId: p.id, threadKey: p.threadKey, err: reasonOf(err) }, 'turn failed');
      await store.update((db) => {
        setLedger(db, p.id, { status: 'failed', reason: reasonOf(err) }, deps.now());
        const c = db.conversations[p.threadKey];
        if (c) delete c.meta[HOLDING];
      }).catch(() => undefined);
      await deliver(p.threadKey, { text: REPLIES.apology, kind: 'reply', inReplyToId: p.id })
        .catch((e: unknown) => log.error({ threadKey: p.threadKey, err: reasonOf(e) }, 'apology could not be delivered'));
      await alert('A conversation turn failed', { threadKey: p.threadKey, messageId: p.id, error: reasonOf(err) });
      return 'failed';
    } finally {
      if (session) await session.close().catch((e: unknown) => log.warn({ err: reasonOf(e) }, 'tool session close failed'));
    }
    return finish(p);
  }

  /** The model is out: tell the thread once per outage, keep the message queued (durably) for a retry. */
  async function onOutage(p: PendingMessage, err: unknown): Promise<TurnOutcome> {
    p.attempts += 1;
    log.warn({ messageId: p.id, threadKey: p.threadKey, attempts: p.attempts, err: reasonOf(err) }, 'model unavailable; message stays queued');
    try {
      await store.update((db) => setLedger(db, p.id, { reason: 'model unavailable', message: p }, deps.now()));
      if (!threadMeta(store.read(), p.threadKey, HOLDING)) {
        await deliver(p.threadKey, { text: REPLIES.holding, kind: 'holding', inReplyToId: p.id });
        await setThreadFlag(p.threadKey, HOLDING, deps.now());
      }
    } catch (e) {
      log.error({ messageId: p.id, err: reasonOf(e) }, 'could not record the outage or send the holding reply');
    }
    return 'retry';
  }

  return { run, deliver };
}
