/**
 * What happens to one mailbox message, in order, with every decision recorded in `email.ledger`
 * (keyed by Message-ID) in the same store write that advances the IMAP position:
 *   already decided → skip · too large → quarantine without downloading · analyse →
 *   ignore (bounces mark the address undeliverable) · quarantine (+ staff alert, + IMAP folder) ·
 *   reply → reply budget → `conversations.handle` (the ledger entry is 'pending' until it is accepted).
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../config/logger.js';
import type { ConversationsPort, InboundMessage, StaffNotifier } from '../../conversations/types.js';
import { isAppError } from '../../errors.js';
import type { Db } from '../../store/schema.js';
import type { Store } from '../../store/types.js';
import { analyzeEmail, type EmailAnalysis, type ThreadLookup } from './analyze.js';
import { takeBudget } from './budget-window.js';
import { ledgerGet, ledgerSet, markUndeliverable, normalizeMessageId, recordInbound, writeSync, type Decision } from './email-state.js';

export interface MessageRef {
  uid: number;
  uidValidity: string;
  size?: number | undefined;
  envelopeMessageId?: string | undefined;
}

export interface MessageIo {
  /** The raw message, at most `limit` bytes (more means too large). */
  download(limit: number): Promise<Buffer>;
  /** Move the message to the quarantine folder (best effort). */
  moveToQuarantine?(): Promise<void>;
}

/** 'done': decided and recorded, position advanced. 'stop': not decided now (conversations stopped); retry later. */
export type ProcessOutcome = 'done' | 'stop';

export interface EmailProcessorDeps {
  config: Config['email'];
  store: Store;
  conversations: ConversationsPort;
  staff?: StaffNotifier | undefined;
  log: Logger;
  clock: () => Date;
  lookup: ThreadLookup;
  ownAddresses: string[];
  undeliverableMs: number;
}

function describeAttachments(a: EmailAnalysis['attachments']): string {
  if (a.length === 0) return '';
  const list = a.slice(0, 20).map((x) => `${x.filename} (${x.contentType}, ${x.size} bytes)`).join('; ');
  return `\n\n[Attachments, not opened: ${list}${a.length > 20 ? `; and ${a.length - 20} more` : ''}]`;
}

export function createEmailProcessor(deps: EmailProcessorDeps) {
  const { store, log, config } = deps;
  const alert = (text: string, details: Record<string, unknown>) =>
    deps.staff?.alert(text, details).catch((err: unknown) => log.warn({ err: String(err) }, 'staff alert failed'));

  async function decide(ref: MessageRef, key: string, decision: Decision, reason: string, extra?: (db: Db) => void, more?: { from?: string; threadKey?: string }): Promise<void> {
    const at = deps.clock().toISOString();
    await store.update((db) => {
      ledgerSet(db, key, { decision, reason: reason.slice(0, 300), uid: ref.uid, uidValidity: ref.uidValidity, from: more?.from, threadKey: more?.threadKey, at });
      extra?.(db);
      writeSync(db, ref.uidValidity, ref.uid, at);
    });
  }

  async function quarantine(ref: MessageRef, io: MessageIo, key: string, reason: string, details: Record<string, unknown>): Promise<ProcessOutcome> {
    const at = deps.clock().toISOString();
    await decide(ref, key, 'quarantined', reason, (db) => {
      db.quarantine.push({ id: `q_${randomUUID()}`, at, channel: 'email', ref: key.slice(0, 1000), reason: reason.slice(0, 2000), details: { uid: ref.uid, uidValidity: ref.uidValidity, ...details } });
    });
    log.warn({ messageId: key, uid: ref.uid, reason }, 'email quarantined');
    await alert('An email could not be handled and was quarantined', { messageId: key, uid: ref.uid, reason, ...details });
    if (config.imap.quarantineFolder && io.moveToQuarantine) {
      await io.moveToQuarantine().catch((err: unknown) => log.warn({ uid: ref.uid, err: String(err) }, 'could not move the message to the quarantine folder'));
    }
    return 'done';
  }

  /** Record a message that failed to process several times in a row, so the inbox keeps flowing. */
  async function giveUp(ref: MessageRef, io: MessageIo, err: unknown): Promise<ProcessOutcome> {
    const key = normalizeMessageId(ref.envelopeMessageId) || `<uid-${ref.uidValidity}-${ref.uid}@mailbox.invalid>`;
    return quarantine(ref, io, key, `processing failed repeatedly: ${String(err)}`.slice(0, 500), {});
  }

  async function process(ref: MessageRef, io: MessageIo): Promise<ProcessOutcome> {
    const envId = normalizeMessageId(ref.envelopeMessageId);
    const known = envId ? ledgerGet(store.read(), envId) : undefined;
    if (known && known.decision !== 'pending') {
      await store.update((db) => writeSync(db, ref.uidValidity, ref.uid, deps.clock().toISOString()));
      log.info({ messageId: envId, uid: ref.uid, decision: known.decision }, 'email already decided; skipped');
      return 'done';
    }
    const fallbackKey = envId || `<uid-${ref.uidValidity}-${ref.uid}@mailbox.invalid>`;
    if (ref.size !== undefined && ref.size > config.maxBytes) {
      return quarantine(ref, io, fallbackKey, `too large (${ref.size} bytes > ${config.maxBytes})`, { size: ref.size });
    }
    let raw: Buffer;
    try {
      raw = await io.download(config.maxBytes);
    } catch (err) {
      if (!isAppError(err, 'not_found')) throw err;
      await decide(ref, fallbackKey, 'ignored', 'vanished from the mailbox before it was read');
      log.warn({ uid: ref.uid }, 'email vanished before it was read');
      return 'done';
    }
    if (raw.length > config.maxBytes) return quarantine(ref, io, fallbackKey, `too large (more than ${config.maxBytes} bytes)`, {});

    const a = await analyzeEmail(raw, {
      maxBytes: config.maxBytes, parseTimeoutMs: config.parseTimeoutMs, maxTextChars: config.maxTextChars,
      trustedAuthservId: config.trustedAuthservId, verifySender: config.verifySender, ownAddresses: deps.ownAddresses, lookup: deps.lookup,
    });
    const key = normalizeMessageId(a.messageId) || fallbackKey;
    const prior = ledgerGet(store.read(), key);
    if (prior && prior.decision !== 'pending') {
      await store.update((db) => writeSync(db, ref.uidValidity, ref.uid, deps.clock().toISOString()));
      log.info({ messageId: key, uid: ref.uid, decision: prior.decision }, 'email already decided; skipped');
      return 'done';
    }
    const who = { from: a.sender.address || undefined, threadKey: a.threadKey };

    if (a.action === 'quarantine') return quarantine(ref, io, key, a.reason, { from: a.sender.address, subject: a.subject.slice(0, 200), size: raw.length });
    if (a.action === 'ignore') {
      const now = deps.clock();
      await decide(ref, key, 'ignored', a.reason, (db) => {
        for (const r of a.bounce?.recipients ?? []) {
          if (a.bounce?.action && a.bounce.action !== 'failed') continue; // 'delayed' etc.: still trying
          markUndeliverable(db, r, `bounce ${a.bounce?.status ?? ''}`.trim(), now, deps.undeliverableMs);
        }
      }, who);
      log.info({ messageId: key, uid: ref.uid, reason: a.reason, bounced: a.bounce?.recipients.length ?? 0 }, 'email ignored');
      return 'done';
    }

    // reply: take the budget once (a 'pending' entry already took it before a crash), record the thread.
    if (!prior) {
      const now = deps.clock();
      const verdict = await store.update((db) => {
        const v = takeBudget(db, { sender: a.sender.address, threadKey: a.threadKey, limits: { perSender: config.replyBudgetPerSenderHour, perThread: config.replyBudgetPerThreadHour }, now });
        if (!v.ok) {
          ledgerSet(db, key, { decision: 'budget', reason: `reply budget per ${v.over} spent`, uid: ref.uid, uidValidity: ref.uidValidity, ...who, at: now.toISOString() });
          writeSync(db, ref.uidValidity, ref.uid, now.toISOString());
          return v;
        }
        ledgerSet(db, key, { decision: 'pending', reason: 'handing to conversations', uid: ref.uid, uidValidity: ref.uidValidity, ...who, at: now.toISOString() });
        recordInbound(db, { threadKey: a.threadKey, customerEmail: a.sender.address, subject: a.subject, messageId: key, references: [...a.references, ...(a.inReplyTo ? [a.inReplyTo] : [])], now: now.toISOString() });
        return v;
      });
      if (!verdict.ok) {
        log.warn({ messageId: key, over: verdict.over }, 'reply budget spent; staying silent');
        if (verdict.alert) await alert(`Email reply budget per ${verdict.over} spent: no more automatic replies this hour`, { key: verdict.key, messageId: key });
        return 'done';
      }
    }

    const msg: InboundMessage = {
      id: `email:${key}`,
      channel: 'email',
      threadKey: a.threadKey,
      sender: { id: a.sender.address, verified: a.sender.verified, displayName: a.sender.name, email: a.sender.address },
      text: (a.text || '(no text)') + describeAttachments(a.attachments),
      receivedAt: deps.clock().toISOString(),
      meta: { subject: a.subject, messageId: key, uid: ref.uid, uidValidity: ref.uidValidity, verification: a.sender.verification },
    };
    let res: Awaited<ReturnType<ConversationsPort['handle']>>;
    try {
      res = await deps.conversations.handle(msg);
    } catch (err) {
      if (isAppError(err, 'bad_input')) return quarantine(ref, io, key, `rejected by conversations: ${err.message}`, { from: a.sender.address });
      throw err;
    }
    if (!res.accepted && res.reason === 'stopped') return 'stop';
    const decision: Decision = res.accepted || res.reason === 'duplicate' ? 'replied' : 'busy';
    await decide(ref, key, decision, res.accepted ? 'handed to conversations' : `conversations: ${res.reason ?? 'refused'}`, undefined, who);
    log.info({ messageId: key, uid: ref.uid, threadKey: a.threadKey, verified: a.sender.verified, decision }, 'email handed to conversations');
    return 'done';
  }

  return { process, giveUp };
}

export type EmailProcessor = ReturnType<typeof createEmailProcessor>;
