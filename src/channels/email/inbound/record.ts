/**
 * Recording a mailbox message's decision (keyed by Message-ID, `email.recordDecision`) in the same transaction
 * that advances the IMAP position over it (`io.record`), plus whatever else the decision writes (a quarantine
 * entry, undeliverable addresses). Each helper resolves once that transaction committed.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../../../config/config.js';
import type { Logger } from '../../../config/logger.js';
import type { StaffNotifier } from '../../../conversations/types.js';
import type { EmailDecisionKind, Repositories } from '../../../store/repos/index.js';
import { normalizeMessageId } from '../threads/message-ids.js';

export interface MessageRef {
  uid: number;
  uidValidity: string;
  size?: number | undefined;
  /** Known upper bound of the size when `size` itself was not asked for (a message found not LARGER than it). */
  maxSize?: number | undefined;
  /** The Message-ID header as seen before parsing (lets an already-decided message be skipped early). */
  envelopeMessageId?: string | undefined;
}

export interface MessageIo {
  /** The raw message, at most `limit` bytes (more means too large). */
  download(limit: number): Promise<Buffer>;
  /** Move the message to the quarantine folder (best effort). */
  moveToQuarantine?(): Promise<void>;
  /** Inside the transaction that records the message's final decision: advance the mailbox position over it. */
  record(tx: Repositories): Promise<void>;
  /** Once that transaction committed. */
  recorded(): void;
}

/** 'done': decided and recorded, position advanced. 'stop': not decided now (conversations stopped); retry later. */
export type ProcessOutcome = 'done' | 'stop';

/** A message whose decision is written (later messages see it); `settled` resolves once everything it entails is done. */
export interface Begun { settled: Promise<ProcessOutcome> }

export const begun = (settled: ProcessOutcome | Promise<ProcessOutcome>): Begun => ({ settled: Promise.resolve(settled) });

export interface Who { from?: string | undefined; threadKey?: string | undefined }

export interface RecordDeps {
  config: Config['email'];
  repos: Repositories;
  staff?: StaffNotifier | undefined;
  log: Logger;
  clock: () => Date;
}

export function createRecorder(deps: RecordDeps) {
  const { repos, log, config } = deps;
  const alert = async (text: string, details: Record<string, unknown>): Promise<void> => {
    await deps.staff?.alert(text, details).catch((err: unknown) => log.warn({ err: String(err) }, 'staff alert failed'));
  };

  /** `fn` and the position in one transaction; the position's bookkeeping once it committed. */
  async function write(io: MessageIo, fn: (tx: Repositories) => Promise<void>): Promise<void> {
    await repos.transaction(async (tx) => {
      await fn(tx);
      await io.record(tx);
    });
    io.recorded();
  }

  function decide(ref: MessageRef, io: MessageIo, key: string, decision: EmailDecisionKind, reason: string, extra?: (tx: Repositories) => Promise<void>, who: Who = {}): Promise<void> {
    const at = deps.clock().toISOString();
    return write(io, async (tx) => {
      await tx.email.recordDecision({ messageId: key, decision, reason: reason.slice(0, 300), uid: ref.uid, uidValidity: ref.uidValidity, from: who.from, threadKey: who.threadKey, at });
      await extra?.(tx);
    });
  }

  /** Already decided earlier (a retry, a re-sync after UIDVALIDITY changed): only the position moves. */
  async function skip(ref: MessageRef, io: MessageIo, key: string, decision: EmailDecisionKind): Promise<Begun> {
    await write(io, async () => undefined);
    log.info({ messageId: key, uid: ref.uid, decision }, 'email already decided; skipped');
    return begun('done');
  }

  /** Quarantine entry and decision written; `settled` tells staff and moves the message aside. */
  async function quarantine(ref: MessageRef, io: MessageIo, key: string, reason: string, details: Record<string, unknown>): Promise<Begun> {
    const at = deps.clock().toISOString();
    await decide(ref, io, key, 'quarantined', reason, (tx) =>
      tx.quarantine.add({ id: `q_${randomUUID()}`, at, channel: 'email', ref: key.slice(0, 1000), reason: reason.slice(0, 2000), details: { uid: ref.uid, uidValidity: ref.uidValidity, ...details } }));
    log.warn({ messageId: key, uid: ref.uid, reason }, 'email quarantined');
    return begun((async () => {
      await alert('An email could not be handled and was quarantined', { messageId: key, uid: ref.uid, reason, ...details });
      if (config.imap.quarantineFolder && io.moveToQuarantine) {
        await io.moveToQuarantine().catch((err: unknown) => log.warn({ uid: ref.uid, err: String(err) }, 'could not move the message to the quarantine folder'));
      }
      return 'done' as const;
    })());
  }

  /** Record a message that failed to process several times in a row, so the inbox keeps flowing. */
  function giveUp(ref: MessageRef, io: MessageIo, err: unknown): Promise<Begun> {
    const key = normalizeMessageId(ref.envelopeMessageId) || `<uid-${ref.uidValidity}-${ref.uid}@mailbox.invalid>`;
    return quarantine(ref, io, key, `processing failed repeatedly: ${String(err)}`.slice(0, 500), {});
  }

  return { decide, skip, quarantine, giveUp, alert };
}

export type Recorder = ReturnType<typeof createRecorder>;
