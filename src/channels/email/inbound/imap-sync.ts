/**
 * One catch-up pass over the selected mailbox: everything above the stored `(UIDVALIDITY, lastUid)`, oldest
 * first. The new messages' UIDs by SEARCH (listNew), then a bounded batch (count and bytes) whose sources
 * come in chunks, one FETCH each, the next chunk downloading while the current one is processed (the first
 * answers do not wait for a whole backlog to download); the messages are decided in UID order while what their
 * decisions entail runs concurrently (at most `inFlight` unsettled). The position (`email.mailbox`, per mailbox
 * name) only advances over contiguously recorded UIDs. A UIDVALIDITY change restarts from UID 1 and relies on the Message-ID ledger to
 * skip what was already decided (nothing is answered twice); staff are told.
 */
import type { ImapFlow } from 'imapflow';
import type { Logger } from '../../../config/logger.js';
import type { StaffNotifier } from '../../../conversations/types.js';
import { AppError } from '../../../errors.js';
import type { Repositories } from '../../../store/repos/index.js';
import type { EmailProcessor, MessageIo, MessageRef, ProcessOutcome } from './processor.js';
import { chunkedSources, download, fetchMessageIds, listNew, moveTo, pickBatch, type Guard } from './imap-batch.js';
import { createPosition, type MailboxPosition } from './imap-position.js';

export type { Guard } from './imap-batch.js';
export type SyncResult = 'idle' | 'more' | 'stopped';

export interface ImapSyncDeps {
  repos: Repositories;
  /** The mailbox's name, which keys its stored position. */
  mailbox: string;
  processor: EmailProcessor;
  log: Logger;
  staff?: StaffNotifier | undefined;
  clock: () => Date;
  quarantineFolder?: string | undefined;
  /** The largest message handled (bigger ones are quarantined unread). */
  maxBytes: number;
  /** Messages handled per pass before the loop looks at the connection again. */
  batchSize?: number | undefined;
  /** Bytes of sources downloaded per pass (at least one message). Default 32 MB. */
  batchBytes?: number | undefined;
  /** Sources downloaded per FETCH within a batch: messages (default 50) and bytes (default 4 MB, at least one message). */
  chunkSize?: number | undefined;
  chunkBytes?: number | undefined;
  /** Messages begun but not yet settled (durable). Default 64. */
  inFlight?: number | undefined;
  /** After this many failures in a row on one message it is quarantined so the inbox keeps flowing. */
  maxFailures?: number | undefined;
  isStopping: () => boolean;
  /** With no stored position yet: 'all' answers what the mailbox already holds, 'new' only mail arriving from now on. */
  firstStart?: 'all' | 'new' | undefined;
}

export function createImapSync(deps: ImapSyncDeps) {
  const { repos, log, processor, mailbox } = deps;
  const batchSize = deps.batchSize ?? 500;
  const batchBytes = deps.batchBytes ?? 32 * 1024 * 1024;
  const chunkSize = Math.max(1, deps.chunkSize ?? 50);
  const chunkBytes = deps.chunkBytes ?? 4 * 1024 * 1024;
  const inFlight = Math.max(1, deps.inFlight ?? 64);
  const maxFailures = deps.maxFailures ?? 3;
  const failures = new Map<string, number>();

  async function syncOnce(client: ImapFlow, guard: Guard): Promise<SyncResult> {
    const mb = client.mailbox;
    if (!mb) throw new AppError('unavailable', 'no mailbox selected');
    const uidValidity = mb.uidValidity.toString();
    const st = await repos.email.mailbox(mailbox);
    if (st && st.uidValidity !== uidValidity) {
      log.warn({ old: st.uidValidity, now: uidValidity }, 'UIDVALIDITY changed; re-syncing by Message-ID');
      await repos.email.resetMailbox(mailbox, { uidValidity, lastUid: 0, at: deps.clock().toISOString() });
      await deps.staff?.alert('The support mailbox was renumbered (UIDVALIDITY changed). Helpline is re-reading it and skips every message it already handled (matched by Message-ID).', { mailbox: mb.path, oldUidValidity: st.uidValidity, newUidValidity: uidValidity })
        .catch((err: unknown) => log.warn({ err: String(err) }, 'staff alert failed'));
    }
    if (!st && deps.firstStart === 'new') {
      // First start on a mailbox with history: remember where it ends instead of answering all of it.
      const lastUid = Math.max(0, Number(mb.uidNext ?? 1) - 1);
      await repos.email.resetMailbox(mailbox, { uidValidity, lastUid, at: deps.clock().toISOString() });
      log.info({ mailbox: mb.path, existing: mb.exists, lastUid }, 'first start: existing mail left unanswered (EMAIL_FIRST_START=new)');
      return 'idle';
    }
    const lastUid = st && st.uidValidity === uidValidity ? st.lastUid : 0;
    if (mb.exists === 0) return 'idle';

    const refs = await listNew(client, lastUid, uidValidity, guard);
    if (refs.length) log.debug({ count: refs.length, from: refs[0]?.uid }, 'new mail');

    const batch = pickBatch(refs, batchSize, batchBytes, deps.maxBytes);
    const tooLarge = (r: MessageRef) => (r.size ?? 0) > deps.maxBytes;
    const ids = await fetchMessageIds(client, batch.filter(tooLarge), guard);
    const { sources, chunks } = chunkedSources(client, batch, { chunkSize, chunkBytes, maxBytes: deps.maxBytes, guard, skip: tooLarge, ids });
    const position = createPosition({ mailbox, uidValidity, uids: batch.map((r) => r.uid), clock: deps.clock });
    const open = new Set<Promise<unknown>>();
    const results: Array<{ ref: MessageRef; io: MessageIo; outcome: Promise<ProcessOutcome> }> = [];
    /** Begin each message of `chunk` in UID order; false when stopping or the connection went (the rest waits). */
    const beginChunk = async (chunk: readonly MessageRef[]): Promise<boolean> => {
      for (const ref of chunk) {
        if (deps.isStopping() || !client.usable) return false;
        while (open.size >= inFlight) await Promise.race(open);
        const io: MessageIo = {
          download: (limit) => {
            const src = sources.get(ref.uid);
            sources.delete(ref.uid);
            return src ? Promise.resolve(src) : download(client, ref.uid, limit, guard);
          },
          moveToQuarantine: deps.quarantineFolder ? () => moveTo(client, ref.uid, deps.quarantineFolder as string, guard) : undefined,
          record: (tx) => position.record(tx, ref.uid),
          recorded: () => position.recorded(ref.uid),
        };
        let outcome: Promise<ProcessOutcome>;
        try {
          outcome = (await processor.begin(ref, io)).settled;
        } catch (err) {
          outcome = Promise.reject(err);
        }
        outcome.catch(() => undefined); // looked at in settle(), in UID order
        results.push({ ref, io, outcome });
        const tracked: Promise<unknown> = outcome.catch(() => undefined).finally(() => open.delete(tracked));
        open.add(tracked);
      }
      return true;
    };

    let cut = false;
    let fetchError: unknown;
    try {
      for await (const chunk of chunks()) {
        if (!(await beginChunk(chunk))) {
          cut = true;
          break;
        }
      }
    } catch (err) {
      fetchError = err; // a chunk failed to download: settle what began, then fail the pass (→ reconnect)
    }
    const r = await settle(client, uidValidity, results, refs.length > batch.length, position);
    if (fetchError !== undefined) throw fetchError;
    return cut ? 'stopped' : r;
  }

  /** Wait for every begun message; the first failure (in UID order) is counted and rethrown (→ reconnect). */
  async function settle(client: ImapFlow, uidValidity: string, results: Array<{ ref: MessageRef; io: MessageIo; outcome: Promise<ProcessOutcome> }>, more: boolean, position: MailboxPosition): Promise<SyncResult> {
    const outcomes = await Promise.allSettled(results.map((r) => r.outcome));
    await position.flush(repos);
    let stopped = false;
    for (let i = 0; i < results.length; i++) {
      const { ref, io } = results[i] as (typeof results)[number];
      const o = outcomes[i] as PromiseSettledResult<ProcessOutcome>;
      const k = `${uidValidity}:${ref.uid}`;
      if (o.status === 'fulfilled') {
        failures.delete(k);
        if (o.value === 'stop') stopped = true;
        continue;
      }
      const err: unknown = o.reason;
      if (!client.usable) throw err; // the connection went: reconnect and retry this message
      const n = (failures.get(k) ?? 0) + 1;
      failures.set(k, n);
      log.error({ uid: ref.uid, attempt: n, err: String(err) }, 'email processing failed');
      if (n < maxFailures) throw err;
      failures.delete(k);
      await (await processor.giveUp(ref, io, err)).settled;
      await position.flush(repos);
    }
    if (stopped) return 'stopped';
    return more ? 'more' : 'idle';
  }

  return { syncOnce };
}
