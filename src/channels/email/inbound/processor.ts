/**
 * What happens to one mailbox message, in order, with every decision recorded by Message-ID (`email.decision`)
 * in the same transaction that advances the IMAP position:
 *   already decided → skip · too large → quarantine without downloading · analyse →
 *   ignore (bounces of our mail mark its recipient undeliverable) · quarantine (+ staff alert, + IMAP folder) ·
 *   reply → reply budget → `conversations.handle` (the decision is 'pending' until conversations accepted it).
 *
 * `begin` analyses the message and writes its decision (or its hand-off to conversations), so the next message
 * sees it (a follow-up finds the thread its predecessor opened, a second copy of a mail finds the first's
 * decision), then returns `settled`, which resolves once everything the decision entails is done. The caller
 * may begin the next message right away.
 */
import type { Config } from '../../../config/config.js';
import type { Logger } from '../../../config/logger.js';
import type { ConversationsPort, StaffNotifier } from '../../../conversations/types.js';
import { isAppError } from '../../../errors.js';
import type { Repositories } from '../../../store/repos/index.js';
import { analyzeEmail, type EmailAnalysis, type ThreadLookup } from '../analysis/analyze.js';
import type { MailReader } from '../reading/read-mail.js';
import { normalizeMessageId } from '../threads/message-ids.js';
import { begun, createRecorder, type Begun, type MessageIo, type MessageRef, type Who } from './record.js';
import { createReplyStep } from './reply.js';

export type { Begun, MessageIo, MessageRef, ProcessOutcome } from './record.js';

export interface EmailProcessorDeps {
  config: Config['email'];
  repos: Repositories;
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

/** Most Message-IDs of a bounce matched against the outbox. */
const MAX_BOUNCE_IDS = 100;

export function createEmailProcessor(deps: EmailProcessorDeps) {
  const { repos, log, config } = deps;
  const rec = createRecorder(deps);
  const reply = createReplyStep({ ...deps, rec });

  async function begin(ref: MessageRef, io: MessageIo): Promise<Begun> {
    const envId = normalizeMessageId(ref.envelopeMessageId);
    const known = envId ? await repos.email.decision(envId) : undefined;
    if (known && known.decision !== 'pending') return rec.skip(ref, io, envId, known.decision);
    const fallbackKey = envId || `<uid-${ref.uidValidity}-${ref.uid}@mailbox.invalid>`;
    if (ref.size !== undefined && ref.size > config.maxBytes) {
      return rec.quarantine(ref, io, fallbackKey, `too large (${ref.size} bytes > ${config.maxBytes})`, { size: ref.size });
    }
    let raw: Buffer;
    try {
      raw = await io.download(config.maxBytes);
    } catch (err) {
      if (!isAppError(err, 'not_found')) throw err;
      log.warn({ uid: ref.uid }, 'email vanished before it was read');
      await rec.decide(ref, io, fallbackKey, 'ignored', 'vanished from the mailbox before it was read');
      return begun('done');
    }
    if (raw.length > config.maxBytes) return rec.quarantine(ref, io, fallbackKey, `too large (more than ${config.maxBytes} bytes)`, {});

    const a = await analyzeEmail(raw, {
      maxBytes: config.maxBytes, parseTimeoutMs: config.parseTimeoutMs, maxTextChars: config.maxTextChars,
      trustedAuthservId: config.trustedAuthservId, verifySender: config.verifySender, ownAddresses: deps.ownAddresses, lookup: deps.lookup,
      reader: deps.reader,
    });
    deps.onClassified?.(a.class, a.action);
    const key = normalizeMessageId(a.messageId) || fallbackKey;
    const prior = await repos.email.decision(key);
    if (prior && prior.decision !== 'pending') return rec.skip(ref, io, key, prior.decision);
    const who = { from: a.sender.address || undefined, threadKey: a.threadKey };

    if (a.action === 'quarantine') return rec.quarantine(ref, io, key, a.reason, { class: a.class, from: a.sender.address, subject: a.subject.slice(0, 200), size: raw.length });
    if (a.action === 'ignore') return ignore(ref, io, key, a, who);
    return reply(ref, io, key, a, prior === undefined, who);
  }

  async function ignore(ref: MessageRef, io: MessageIo, key: string, a: EmailAnalysis, who: Who): Promise<Begun> {
    const at = deps.clock();
    const until = new Date(at.getTime() + deps.undeliverableMs).toISOString();
    // A bounce counts only for a mail we sent, and only for that mail's recipient: anyone can send a
    // bounce-shaped message naming a customer's address, which must not cut that customer off.
    const failed = a.bounce && (!a.bounce.action || a.bounce.action === 'failed') ? a.bounce.recipients : []; // 'delayed' etc.: still trying
    const ids = a.bounce ? [...(a.bounce.originalMessageIds ?? []), ...(a.inReplyTo ? [a.inReplyTo] : []), ...a.references].filter(Boolean).slice(0, MAX_BOUNCE_IDS) : [];
    const ours = new Set(failed.length > 0 && ids.length > 0 ? await repos.outbox.recipientsOf(ids) : []);
    const reason = `bounce ${a.bounce?.status ?? ''}`.trim().slice(0, 300);
    await rec.decide(ref, io, key, 'ignored', a.reason, async (tx) => {
      for (const r of new Set(failed.map((x) => x.toLowerCase()))) {
        if (ours.has(r)) await tx.emailLimits.markUndeliverable({ address: r, until, reason });
      }
    }, who);
    log.info({ messageId: key, uid: ref.uid, class: a.class, reason: a.reason, bounced: a.bounce?.recipients.length ?? 0 }, 'email ignored');
    return begun('done');
  }

  return { begin, giveUp: rec.giveUp };
}

export type EmailProcessor = ReturnType<typeof createEmailProcessor>;
