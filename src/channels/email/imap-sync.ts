/**
 * One catch-up pass over the selected mailbox: everything above the stored `(UIDVALIDITY, lastUid)`,
 * oldest first, one message at a time. `UID n:*` also returns the newest old message when nothing is
 * new, so results at or below lastUid are dropped. A UIDVALIDITY change restarts from UID 1 and relies
 * on the Message-ID ledger to skip what was already decided (nothing is answered twice); staff are told.
 */
import type { ImapFlow } from 'imapflow';
import type { Logger } from '../../config/logger.js';
import type { StaffNotifier } from '../../conversations/types.js';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import type { EmailProcessor, MessageIo, MessageRef } from './email-processor.js';
import { readSync } from './email-state.js';

export type Guard = <T>(p: Promise<T>, what: string) => Promise<T>;
export type SyncResult = 'idle' | 'more' | 'stopped';

export interface ImapSyncDeps {
  store: Store;
  processor: EmailProcessor;
  log: Logger;
  staff?: StaffNotifier | undefined;
  clock: () => Date;
  quarantineFolder?: string | undefined;
  /** Messages handled per pass before the loop looks at the connection again. */
  batchSize?: number | undefined;
  /** After this many failures in a row on one message it is quarantined so the inbox keeps flowing. */
  maxFailures?: number | undefined;
  isStopping: () => boolean;
}

async function download(client: ImapFlow, uid: number, limit: number, guard: Guard): Promise<Buffer> {
  const m = await guard(client.fetchOne(String(uid), { uid: true, source: { start: 0, maxLength: limit + 1 } }, { uid: true }), 'download');
  if (!m || !m.source) throw new AppError('not_found', `message UID ${uid} is gone from the mailbox`);
  return m.source;
}

async function moveTo(client: ImapFlow, uid: number, folder: string, guard: Guard): Promise<void> {
  await guard(client.mailboxCreate(folder), 'create folder').catch(() => undefined); // exists already: fine
  await guard(client.messageMove(String(uid), folder, { uid: true }), 'move');
}

export function createImapSync(deps: ImapSyncDeps) {
  const { store, log, processor } = deps;
  const batchSize = deps.batchSize ?? 200;
  const maxFailures = deps.maxFailures ?? 3;
  const failures = new Map<string, number>();

  async function syncOnce(client: ImapFlow, guard: Guard): Promise<SyncResult> {
    const mb = client.mailbox;
    if (!mb) throw new AppError('unavailable', 'no mailbox selected');
    const uidValidity = mb.uidValidity.toString();
    const st = readSync(store.read());
    if (st && st.uidValidity !== uidValidity) {
      log.warn({ old: st.uidValidity, now: uidValidity }, 'UIDVALIDITY changed; re-syncing by Message-ID');
      await store.update((db) => {
        db.state['email.sync'] = { uidValidity, lastUid: 0, updatedAt: deps.clock().toISOString(), previousUidValidity: st.uidValidity };
      });
      await deps.staff?.alert('The support mailbox was renumbered (UIDVALIDITY changed). Helpline is re-reading it and skips every message it already handled (matched by Message-ID).', { mailbox: mb.path, oldUidValidity: st.uidValidity, newUidValidity: uidValidity })
        .catch((err: unknown) => log.warn({ err: String(err) }, 'staff alert failed'));
    }
    const lastUid = st && st.uidValidity === uidValidity ? st.lastUid : 0;
    if (mb.exists === 0) return 'idle';

    const refs: MessageRef[] = [];
    await guard((async () => {
      for await (const m of client.fetch(`${lastUid + 1}:*`, { uid: true, size: true, envelope: true }, { uid: true })) {
        if (m.uid > lastUid) refs.push({ uid: m.uid, uidValidity, size: m.size, envelopeMessageId: m.envelope?.messageId });
      }
    })(), 'fetch');
    refs.sort((a, b) => a.uid - b.uid);
    if (refs.length) log.debug({ count: refs.length, from: refs[0]?.uid }, 'new mail');

    for (const ref of refs.slice(0, batchSize)) {
      if (deps.isStopping() || !client.usable) return 'stopped';
      const io: MessageIo = {
        download: (limit) => download(client, ref.uid, limit, guard),
        moveToQuarantine: deps.quarantineFolder ? () => moveTo(client, ref.uid, deps.quarantineFolder as string, guard) : undefined,
      };
      const k = `${uidValidity}:${ref.uid}`;
      try {
        const outcome = await processor.process(ref, io);
        failures.delete(k);
        if (outcome === 'stop') return 'stopped';
      } catch (err) {
        if (!client.usable) throw err; // the connection went: reconnect and retry this message
        const n = (failures.get(k) ?? 0) + 1;
        failures.set(k, n);
        log.error({ uid: ref.uid, attempt: n, err: String(err) }, 'email processing failed');
        if (n < maxFailures) throw err;
        failures.delete(k);
        await processor.giveUp(ref, io, err);
      }
    }
    return refs.length > batchSize ? 'more' : 'idle';
  }

  return { syncOnce };
}
