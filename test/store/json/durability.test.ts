/**
 * What "durable" means for the JSON engine: a resolved call is on disk (fsynced) before it resolves; many calls in
 * flight share one write; a process that dies without closing loses nothing acknowledged (the journal is
 * replayed); a failed write is reported and repaired; closing and reopening keeps everything.
 */
import { type FileHandle, copyFile, open as openFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/config/logger.js';
import { isAppError } from '../../../src/errors.js';
import { type JsonRepositories, createJsonRepositories, readJsonStore } from '../../../src/store/json/index.js';
import { approval, at, customer, newTicket, note, seedCustomer } from '../conformance/fixtures.js';
import { auditEntry, tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
const opened: JsonRepositories[] = [];
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('helpline-json-durable-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  for (const r of opened.splice(0)) await r.close().catch(() => undefined);
  await cleanup();
});

async function open(file: string, extra: { compactAtBytes?: number; log?: ReturnType<typeof silentLogger> } = {}): Promise<JsonRepositories> {
  const repos = await createJsonRepositories({ file, log: extra.log ?? silentLogger(), compactAtBytes: extra.compactAtBytes });
  opened.push(repos);
  return repos;
}

/** Records in most repositories, some changed after they were written. */
async function writeSpread(repos: JsonRepositories): Promise<void> {
  await seedCustomer(repos, 1);
  await repos.customers.create(customer(2, { slackUserId: 'U0ABCDEFGHI' }));
  const t = await repos.tickets.create(newTicket({ customerId: 'cus_001' }));
  await repos.tickets.update(t.id, { status: 'in_progress', updatedAt: at(5) }, { status: 'open' });
  await repos.notes.add(note('note_1', 'cus_001', at(1)));
  await repos.approvals.create(approval('apr_1', 'cus_001', { expiresAt: '2999-01-01T00:00:00.000Z' }));
  await repos.transaction(async (tx) => {
    await tx.customers.deactivateCard('card_1', at(2));
    await tx.audit.append(auditEntry('aud_tx'));
  });
  await repos.conversations.touch('slack:C1:1.0', { channel: 'slack', callerKind: 'customer', customerId: 'cus_001', at: at(3) });
  await repos.ledger.claim({ id: 'm1', threadKey: 'slack:C1:1.0', channel: 'slack', receivedAt: at(3), status: 'received', updatedAt: at(3) });
  await repos.email.resetMailbox('INBOX', { uidValidity: '7', lastUid: 40, at: at(4) });
  await repos.emailLimits.markUndeliverable({ address: 'bad@example.com', until: '2999-01-01T00:00:00.000Z', reason: '550' });
  await repos.outbox.enqueue({ id: 'out_1', threadKey: 'email:<a@x>', payload: { kind: 'reply', to: 'a@example.com', subject: 'Re', text: 't', sourceId: 'm1', replyKind: 'reply' }, nextAttemptAt: at(0), createdAt: at(0) });
  await repos.slack.recordPosted('chunk-1', '1.0001', at(6));
  await repos.leases.acquire('retention', 'me', 60_000);
}

describe('json engine: durability', () => {
  it('reopening after close preserves everything, and the ticket sequence goes on', async () => {
    const file = join(dir, 'db.json');
    const repos = await open(file);
    await writeSpread(repos);
    const before = await readJsonStore(file);
    expect(before.journalRecords).toBeGreaterThan(0);
    await repos.close();
    const again = await open(file);
    expect((await readJsonStore(file)).doc).toEqual({ ...before.doc, journalSeq: expect.any(Number) });
    expect(await again.customers.getCard('card_1')).toMatchObject({ status: 'deactivated' });
    expect(await again.customers.findBySlackUserId('U0ABCDEFGHI')).toMatchObject({ id: 'cus_002' });
    expect(await again.tickets.get('T-1001')).toMatchObject({ status: 'in_progress' });
    expect((await again.tickets.create(newTicket())).id).toBe('T-1002');
    expect(await again.outbox.countPending()).toBe(1);
    expect(await again.email.mailbox('INBOX')).toMatchObject({ lastUid: 40 });
    // the process that held the lease is gone (the file has one process at a time): it ended on open, fence kept
    expect(await again.leases.get('retention')).toBeUndefined();
    expect(await again.leases.acquire('retention', 'next', 60_000)).toMatchObject({ holder: 'next', fence: 2 });
    expect(await again.audit.listForTarget('aud_tx', 1)).toHaveLength(1);
  });

  it('a process that dies without closing loses nothing acknowledged: the journal is replayed and folded in', async () => {
    const file = join(dir, 'db.json');
    const repos = await open(file);
    await writeSpread(repos);
    // the files as they are at this moment (what a SIGKILL would leave), plus a torn last line
    const crashed = join(dir, 'crashed.json');
    await copyFile(file, crashed);
    await copyFile(`${file}.journal`, `${crashed}.journal`);
    await writeFile(`${crashed}.journal`, '{"seq":99,"ticketSeq":1001,"rows":[["audit","torn",{"id":"to', { flag: 'a' });
    const warnings: string[] = [];
    const log = Object.assign(silentLogger(), { warn: (_o: unknown, msg: string) => { warnings.push(msg); } });
    const recovered = await open(crashed, { log });
    expect(warnings.some((w) => /cut short by a crash/.test(w))).toBe(true);
    expect((await readdir(dir)).filter((n) => n.startsWith('crashed'))).not.toContain('crashed.json.journal');
    const live = (await readJsonStore(file)).doc;
    // the same data; only the dead process's leases were ended on open
    const leases = live.leases.map((l) => ({ ...l, until: expect.any(String) }));
    expect((await readJsonStore(crashed)).doc).toEqual({ ...live, journalSeq: expect.any(Number), leases });
    expect(await recovered.audit.listForTarget('torn', 1)).toEqual([]);
    expect(await recovered.customers.getCard('card_1')).toMatchObject({ status: 'deactivated' });
  });

  it('calls in flight together share one write, and each is on disk when it resolves', async () => {
    const file = join(dir, 'db.json');
    const repos = await open(file);
    const base = repos.stats().writes;
    const ids = Array.from({ length: 1000 }, (_, i) => `c${i}`);
    const seen = await Promise.all(ids.map(async (id) => {
      await repos.audit.append(auditEntry(id));
      return id;
    }));
    expect(seen).toEqual(ids);
    const onDisk = new Set((await readJsonStore(file)).doc.audit.map((a) => a.id));
    expect(ids.filter((id) => !onDisk.has(id))).toEqual([]);
    const writes = repos.stats().writes - base;
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThan(20);
  });

  for (const mode of [{ name: 'journal', compactAtBytes: undefined }, { name: 'whole-file rewrites', compactAtBytes: 0 }]) {
    it(`${mode.name}: every acknowledged write was fsynced before it resolved`, async () => {
      const probe: FileHandle = await openFile(join(dir, 'probe'), 'w');
      const proto = Object.getPrototypeOf(probe) as FileHandle;
      await probe.close();
      let syncs = 0;
      const datasync = proto.datasync;
      const sync = proto.sync;
      vi.spyOn(proto, 'datasync').mockImplementation(async function (this: FileHandle) {
        await datasync.call(this);
        syncs += 1;
      });
      vi.spyOn(proto, 'sync').mockImplementation(async function (this: FileHandle) {
        await sync.call(this);
        syncs += 1;
      });
      const repos = await open(join(dir, 'db.json'), { compactAtBytes: mode.compactAtBytes });
      for (let i = 0; i < 20; i++) {
        const before = syncs;
        await repos.audit.append(auditEntry(`s${i}`));
        expect(syncs, `write ${i}`).toBeGreaterThan(before);
      }
      // reads that saw nothing new write nothing
      const before = syncs;
      await repos.audit.listForTarget('s1', 1);
      expect(syncs).toBe(before);
    });
  }

  it('a failed write rejects the calls it carried with store_io; the next write (or ping) rewrites the whole file', async () => {
    const file = join(dir, 'db.json');
    const repos = await open(file);
    await repos.audit.append(auditEntry('before'));
    const probe: FileHandle = await openFile(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    vi.spyOn(proto, 'datasync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    const err = await repos.audit.append(auditEntry('failed')).catch((e: unknown) => e);
    expect(isAppError(err, 'store_io')).toBe(true);
    expect((err as Error).message).toContain(file);
    expect(repos.stats().failedWrites).toBe(1);
    const rewrites = repos.stats().rewrites;
    await repos.ping(); // readiness retries: a full rewrite, which works again
    expect(repos.stats().rewrites).toBe(rewrites + 1);
    await repos.audit.append(auditEntry('after'));
    const ids = (await readJsonStore(file)).doc.audit.map((a) => a.id);
    // the failed call's change stayed in memory and went out with the rewrite (it was reported as not durable)
    expect(ids).toEqual(['before', 'failed', 'after']);
  });

  it('ping fails with unavailable while the file cannot be written', async () => {
    const file = join(dir, 'db.json');
    const repos = await open(file);
    const probe: FileHandle = await openFile(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    const spy = vi.spyOn(proto, 'datasync').mockRejectedValue(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    const spy2 = vi.spyOn(proto, 'sync').mockRejectedValue(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    await expect(repos.audit.append(auditEntry('x'))).rejects.toMatchObject({ code: 'store_io' });
    await expect(repos.ping()).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('no space left') });
    spy.mockRestore();
    spy2.mockRestore();
    await repos.ping();
    expect((await readJsonStore(file)).doc.audit.map((a) => a.id)).toEqual(['x']);
  });

  it('a row deleted and added again within one write keeps its new place after a replay', async () => {
    const file = join(dir, 'db.json');
    const repos = await open(file);
    await repos.slack.recordPosted('k1', '1', at(0));
    await repos.slack.recordPosted('k2', '2', at(10));
    // one group commit: k1 pruned, then recorded again (now after k2), then k3
    await Promise.all([repos.slack.prune(at(5), 10), repos.slack.recordPosted('k1', '1b', at(20)), repos.slack.recordPosted('k3', '3', at(30))]);
    const durable = await readJsonStore(file);
    expect(durable.doc.slackPosted.map((p) => p.chunkKey)).toEqual(['k2', 'k1', 'k3']);
    await repos.close();
    expect((await readJsonStore(file)).doc.slackPosted).toEqual(durable.doc.slackPosted);
  });

  it('close waits for calls not awaited, is safe twice, and later calls are unavailable; close inside a transaction is internal', async () => {
    const file = join(dir, 'db.json');
    const repos = await open(file);
    await expect(repos.transaction(async (tx) => tx.close())).rejects.toMatchObject({ code: 'internal' });
    await expect(repos.transaction(async () => repos.close())).rejects.toMatchObject({ code: 'internal' });
    const pending = Array.from({ length: 10 }, (_, i) => repos.audit.append(auditEntry(`late${i}`)));
    await Promise.all([repos.close(), repos.close()]);
    await Promise.all(pending);
    await expect(repos.audit.append(auditEntry('after'))).rejects.toMatchObject({ code: 'unavailable' });
    await expect(repos.ping()).rejects.toMatchObject({ code: 'unavailable' });
    expect((await readdir(dir)).sort()).toEqual(['db.json', 'db.json.bak']);
    const disk = JSON.parse(await readFile(file, 'utf8')) as { audit: Array<{ id: string }> };
    expect(disk.audit.map((a) => a.id)).toEqual(Array.from({ length: 10 }, (_, i) => `late${i}`));
  });
});
