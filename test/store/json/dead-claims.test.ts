/**
 * The JSON file has one process at a time: outbox claims and leases left in it by an earlier process (killed, or
 * stopped mid-send) are freed when the file is opened, so the mail goes out and the IMAP poller starts at once.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/config/logger.js';
import { createJsonRepositories } from '../../../src/store/json/index.js';
import { outboxItem } from '../conformance/fixtures.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => { ({ dir, cleanup } = await tempDir('helpline-json-claims-')); });
afterEach(async () => { await cleanup(); });

describe('JSON engine: what an earlier process held', () => {
  it('frees its outbox claims and live leases on open; ended leases keep their fence', async () => {
    const file = join(dir, 'db.json');
    const first = await createJsonRepositories({ file, log: silentLogger() });
    await first.outbox.enqueue(outboxItem('out_1'));
    const now = new Date().toISOString();
    expect(await first.outbox.claimDue({ now, limit: 5, holder: 'gone', leaseMs: 300_000 })).toHaveLength(1);
    await first.leases.acquire('imap-poller', 'gone', 600_000);
    await first.close();

    const second = await createJsonRepositories({ file, log: silentLogger() });
    const claimed = await second.outbox.claimDue({ now: new Date().toISOString(), limit: 5, holder: 'me', leaseMs: 60_000 });
    expect(claimed.map((o) => [o.id, o.claimedBy])).toEqual([['out_1', 'me']]);
    const lease = await second.leases.acquire('imap-poller', 'me', 10_000);
    expect(lease).toMatchObject({ holder: 'me', fence: 2 });
    await second.close();
  });
});
