/**
 * What happens to one mailbox message, in order, with every decision recorded in `email.ledger`
 * (keyed by Message-ID) in the same store write that advances the IMAP position:
 *   already decided → skip · too large → quarantine without downloading · analyse →
 *   ignore (bounces mark the address undeliverable) · quarantine (+ staff alert, + IMAP folder) ·
 *   reply → reply budget → `conversations.handle` (the ledger entry is 'pending' until it is accepted).
 *
 * `begin` runs the analysis and applies the message's decision (or its hand-off to conversations) to the
 * in-memory store, then returns `settled`, which resolves once that is durable and final. The caller may
 * begin the next message right away: messages are decided in mailbox order (a follow-up sees the thread
 * its predecessor opened, conversations queues them in order) while their store writes coalesce.
 */
import type { Config } from '../../config/config.js';
import type { Logger } from '../../config/logger.js';
import type { ConversationsPort, InboundMessage, StaffNotifier } from '../../conversations/types.js';
import { isAppError } from '../../errors.js';
import type { Db } from '../../store/schema.js';
import type { Store } from '../../store/types.js';
import { analyzeEmail, type EmailAnalysis, type ThreadLookup } from './analyze.js';
import type { MailReader } from './read-mail.js';
import { takeBudget } from './budget-window.js';
import { createRecorder, type MessageIo, type MessageRef, type ProcessOutcome } from './email-record.js';
import { ledgerGet, ledgerSet, markUndeliverable, normalizeMessageId, recordInbound, type Decision } from './email-state.js';

export type { MessageIo, MessageRef, ProcessOutcome } from './email-record.js';

export interface Begun { settled: Promise<ProcessOutcome> }

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
  /** Where mail is parsed and read (the channel passes its worker pool; default on this thread). */
  reader?: MailReader | undefined;
  /** Called once per analysed message with the class that decided it (metrics). */
  onClassified?: ((cls: EmailAnalysis['class'], action: EmailAnalysis['action']) => void) | undefined;
}

function describeAttachments(a: EmailAnalysis['attachments']): string {
  if (a.length === 0) return '';
  const list = a.slice(0, 20).map((x) => `${x.filename} (${x.contentType}, ${x.size} bytes)`).join('; ');
  return `\n\n[Attachments, not opened: ${list}${a.length > 20 ? `; and ${a.length - 20} more` : ''}]`;
}

export function createEmailProcessor(deps: EmailProcessorDeps) {
  const { store, log, config } = deps;
  const rec = createRecorder(deps);
  const now = () => deps.clock();
  const begun = (settled: Promise<ProcessOutcome>): Begun => ({ settled });

  async function begin(ref: MessageRef, io: MessageIo): Promise<Begun> {
    const envId = normalizeMessageId(ref.envelopeMessageId);
    const known = envId ? ledgerGet(store.read(), envId) : undefined;
    if (known && known.decision !== 'pending') return begun(rec.skip(ref, io, envId, known.decision));
    const fallbackKey = envId || `<uid-${ref.uidValidity}-${ref.uid}@mailbox.invalid>`;
    if (ref.size !== undefined && ref.size > config.maxBytes) {
      return begun(rec.quarantine(ref, io, fallbackKey, `too large (${ref.size} bytes > ${config.maxBytes})`, { size: ref.size }));
    }
    let raw: Buffer;
    try {
      raw = await io.download(config.maxBytes);
    } catch (err) {
      if (!isAppError(err, 'not_found')) throw err;
      log.warn({ uid: ref.uid }, 'email vanished before it was read');
      return begun(rec.decide(ref, io, fallbackKey, 'ignored', 'vanished from the mailbox before it was read').then(() => 'done' as const));
    }
    if (raw.length > config.maxBytes) return begun(rec.quarantine(ref, io, fallbackKey, `too large (more than ${config.maxBytes} bytes)`, {}));

    const a = await analyzeEmail(raw, {
      maxBytes: config.maxBytes, parseTimeoutMs: config.parseTimeoutMs, maxTextChars: config.maxTextChars,
      trustedAuthservId: config.trustedAuthservId, verifySender: config.verifySender, ownAddresses: deps.ownAddresses, lookup: deps.lookup,
      reader: deps.reader,
    });
    deps.onClassified?.(a.class, a.action);
    const key = normalizeMessageId(a.messageId) || fallbackKey;
    const prior = ledgerGet(store.read(), key);
    if (prior && prior.decision !== 'pending') return begun(rec.skip(ref, io, key, prior.decision));
    const who = { from: a.sender.address || undefined, threadKey: a.threadKey };

    if (a.action === 'quarantine') return begun(rec.quarantine(ref, io, key, a.reason, { class: a.class, from: a.sender.address, subject: a.subject.slice(0, 200), size: raw.length }));
    if (a.action === 'ignore') {
      const at = now();
      // A bounce counts only for a mail we sent, and only for that mail's recipient: anyone can send a
      // bounce-shaped message naming a customer's address, which must not cut that customer off.
      const ours = a.bounce ? bouncedRecipients(store.read(), [...(a.bounce.originalMessageIds ?? []), ...(a.inReplyTo ? [a.inReplyTo] : []), ...a.references]) : new Set<string>();
      const written = rec.decide(ref, io, key, 'ignored', a.reason, (db) => {
        for (const r of a.bounce?.recipients ?? []) {
          if (a.bounce?.action && a.bounce.action !== 'failed') continue; // 'delayed' etc.: still trying
          if (!ours.has(r.toLowerCase())) continue;
          markUndeliverable(db, r, `bounce ${a.bounce?.status ?? ''}`.trim(), at, deps.undeliverableMs);
        }
      }, who);
      log.info({ messageId: key, uid: ref.uid, class: a.class, reason: a.reason, bounced: a.bounce?.recipients.length ?? 0 }, 'email ignored');
      return begun(written.then(() => 'done' as const));
    }
    return begun(reply(ref, io, key, a, prior === undefined, who));
  }

  /** Take the budget once (a 'pending' entry already took it before a crash), record the thread, hand over. */
  function reply(ref: MessageRef, io: MessageIo, key: string, a: EmailAnalysis, fresh: boolean, who: { from?: string | undefined; threadKey: string }): Promise<ProcessOutcome> {
    let pending: Promise<unknown> = Promise.resolve();
    if (fresh) {
      const at = now();
      let verdict: ReturnType<typeof takeBudget> = { ok: true };
      const written = store.update((db) => {
        verdict = takeBudget(db, { sender: a.sender.address, threadKey: a.threadKey, limits: { perSender: config.replyBudgetPerSenderHour, perThread: config.replyBudgetPerThreadHour }, now: at });
        const v = verdict;
        if (!v.ok) {
          ledgerSet(db, key, { decision: 'budget', reason: `reply budget per ${v.over} spent`, uid: ref.uid, uidValidity: ref.uidValidity, ...who, at: at.toISOString() });
          io.recorded(db);
          return;
        }
        ledgerSet(db, key, { decision: 'pending', reason: 'handing to conversations', uid: ref.uid, uidValidity: ref.uidValidity, ...who, at: at.toISOString() });
        recordInbound(db, { threadKey: a.threadKey, customerEmail: a.sender.address, subject: a.subject, messageId: key, references: [...a.references, ...(a.inReplyTo ? [a.inReplyTo] : [])], now: at.toISOString() });
      });
      const v = verdict as ReturnType<typeof takeBudget>;
      if (!v.ok) {
        return (async () => {
          await written;
          log.warn({ messageId: key, over: v.over }, 'reply budget spent; staying silent');
          if (v.alert) await rec.alert(`Email reply budget per ${v.over} spent: no more automatic replies this hour`, { key: v.key, messageId: key });
          return 'done' as const;
        })();
      }
      pending = written;
    }
    const msg: InboundMessage = {
      id: `email:${key}`,
      channel: 'email',
      threadKey: a.threadKey,
      sender: { id: a.sender.address, verified: a.sender.verified, displayName: a.sender.name, email: a.sender.address },
      text: (a.text || '(no text)') + describeAttachments(a.attachments),
      receivedAt: now().toISOString(),
      meta: { subject: a.subject, messageId: key, uid: ref.uid, uidValidity: ref.uidValidity, verification: a.sender.verification },
    };
    // Called now, not after `pending` is durable: conversations applies its ledger entry in memory at once
    // (so messages keep mailbox order) and starts the turn only once that entry, written after ours, is on disk.
    const handled = deps.conversations.handle(msg);
    handled.catch(() => undefined); // observed below; this only keeps an early rejection from going unhandled
    return (async () => {
      await pending;
      let res: Awaited<ReturnType<ConversationsPort['handle']>>;
      try {
        res = await handled;
      } catch (err) {
        if (isAppError(err, 'bad_input')) return rec.quarantine(ref, io, key, `rejected by conversations: ${err.message}`, { from: a.sender.address });
        throw err;
      }
      if (!res.accepted && res.reason === 'stopped') return 'stop' as const;
      const decision: Decision = res.accepted || res.reason === 'duplicate' ? 'replied' : 'busy';
      await rec.decide(ref, io, key, decision, res.accepted ? 'handed to conversations' : `conversations: ${res.reason ?? 'refused'}`, undefined, who);
      log.info({ messageId: key, uid: ref.uid, threadKey: a.threadKey, verified: a.sender.verified, decision }, 'email handed to conversations');
      return 'done' as const;
    })();
  }

  return { begin, giveUp: rec.giveUp };
}

export type EmailProcessor = ReturnType<typeof createEmailProcessor>;

/** Recipients of the mails we sent with any of these Message-IDs (from the outbox). */
function bouncedRecipients(db: Readonly<Db>, messageIds: string[]): Set<string> {
  const ids = new Set(messageIds.map((m) => m.trim().toLowerCase()).filter(Boolean));
  const out = new Set<string>();
  if (ids.size === 0) return out;
  for (const item of db.outbox) {
    const mid = item.payload['messageId'];
    const to = item.payload['to'];
    if (typeof mid === 'string' && typeof to === 'string' && ids.has(mid.toLowerCase())) out.add(to.toLowerCase());
  }
  return out;
}
