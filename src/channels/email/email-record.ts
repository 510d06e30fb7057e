/**
 * Recording a mailbox message's decision in `email.ledger` (keyed by Message-ID), in the same store write
 * that lets the IMAP position advance (`io.recorded`). Each helper applies its change to the in-memory
 * store synchronously when called and resolves once it is durable: a caller may start the next message
 * before the write lands (the writes coalesce) and a later snapshot always holds every earlier change.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../config/logger.js';
import type { StaffNotifier } from '../../conversations/types.js';
import type { Db } from '../../store/schema.js';
import type { Store } from '../../store/types.js';
import { ledgerSet, normalizeMessageId, type Decision } from './email-state.js';

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
  /** Called inside the store update that records the message's final decision: advance the mailbox position. */
  recorded(db: Db): void;
}

/** 'done': decided and recorded, position advanced. 'stop': not decided now (conversations stopped); retry later. */
export type ProcessOutcome = 'done' | 'stop';

export interface RecordDeps {
  config: Config['email'];
  store: Store;
  staff?: StaffNotifier | undefined;
  log: Logger;
  clock: () => Date;
}

export function createRecorder(deps: RecordDeps) {
  const { store, log, config } = deps;
  const alert = async (text: string, details: Record<string, unknown>): Promise<void> => {
    await deps.staff?.alert(text, details).catch((err: unknown) => log.warn({ err: String(err) }, 'staff alert failed'));
  };

  function decide(ref: MessageRef, io: MessageIo, key: string, decision: Decision, reason: string, extra?: (db: Db) => void, more?: { from?: string | undefined; threadKey?: string | undefined }): Promise<void> {
    const at = deps.clock().toISOString();
    return store.update((db) => {
      ledgerSet(db, key, { decision, reason: reason.slice(0, 300), uid: ref.uid, uidValidity: ref.uidValidity, from: more?.from, threadKey: more?.threadKey, at });
      extra?.(db);
      io.recorded(db);
    });
  }

  /** Already decided earlier (a retry, a re-sync after UIDVALIDITY changed): only the position moves. */
  function skip(ref: MessageRef, io: MessageIo, key: string, decision: Decision): Promise<ProcessOutcome> {
    const written = store.update((db) => io.recorded(db));
    log.info({ messageId: key, uid: ref.uid, decision }, 'email already decided; skipped');
    return written.then(() => 'done' as const);
  }

  function quarantine(ref: MessageRef, io: MessageIo, key: string, reason: string, details: Record<string, unknown>): Promise<ProcessOutcome> {
    const at = deps.clock().toISOString();
    const written = decide(ref, io, key, 'quarantined', reason, (db) => {
      db.quarantine.push({ id: `q_${randomUUID()}`, at, channel: 'email', ref: key.slice(0, 1000), reason: reason.slice(0, 2000), details: { uid: ref.uid, uidValidity: ref.uidValidity, ...details } });
    });
    return (async () => {
      await written;
      log.warn({ messageId: key, uid: ref.uid, reason }, 'email quarantined');
      await alert('An email could not be handled and was quarantined', { messageId: key, uid: ref.uid, reason, ...details });
      if (config.imap.quarantineFolder && io.moveToQuarantine) {
        await io.moveToQuarantine().catch((err: unknown) => log.warn({ uid: ref.uid, err: String(err) }, 'could not move the message to the quarantine folder'));
      }
      return 'done' as const;
    })();
  }

  /** Record a message that failed to process several times in a row, so the inbox keeps flowing. */
  function giveUp(ref: MessageRef, io: MessageIo, err: unknown): Promise<ProcessOutcome> {
    const key = normalizeMessageId(ref.envelopeMessageId) || `<uid-${ref.uidValidity}-${ref.uid}@mailbox.invalid>`;
    return quarantine(ref, io, key, `processing failed repeatedly: ${String(err)}`.slice(0, 500), {});
  }

  return { decide, skip, quarantine, giveUp, alert };
}
