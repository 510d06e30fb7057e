/** The `imap-poller` lease helper against the memory engine, on the engine's (fake) clock. */
import { describe, expect, it } from 'vitest';
import { createPollerLease, POLLER_LEASE } from '../../../src/channels/email/inbound/poller-lease.js';
import { silentLogger } from '../../../src/config/logger.js';
import { createMemoryRepositories } from '../../../src/store/memory/index.js';
import { waitUntil } from '../../helpers/email-bot-fixtures.js';

function setup() {
  let now = Date.parse('2026-03-01T10:00:00Z');
  const repos = createMemoryRepositories(undefined, { clock: () => new Date(now) });
  const lease = (holder: string, o: { ttlMs?: number; renewMs?: number } = {}) => createPollerLease({ leases: repos.leases, holder, log: silentLogger(), ...o });
  return { repos, lease, advance: (ms: number) => { now += ms; } };
}

describe('IMAP poller lease', () => {
  it('has one holder; a standby instance takes over within 15 s of the holder dying (default timings)', async () => {
    const { lease, advance } = setup();
    const a = lease('a');
    const b = lease('b');
    expect(await a.acquire()).toBe(true);
    expect(await a.acquire()).toBe(true); // the holder keeps it
    expect(await b.acquire()).toBe(false);
    // a dies: nobody renews. b tries every retryMs; the lease ends after its ttl.
    let waited = 0;
    while (!(await b.acquire())) {
      advance(b.retryMs);
      waited += b.retryMs;
      expect(waited).toBeLessThanOrEqual(15_000);
    }
    expect(await a.acquire()).toBe(false);
  });

  it('tells the holder when a renew fails because another instance took the lease', async () => {
    const { repos, lease, advance } = setup();
    const a = lease('a', { ttlMs: 1_000, renewMs: 50 });
    expect(await a.acquire()).toBe(true);
    let lost = 0;
    const stop = a.hold(() => { lost++; });
    advance(1_001); // a was paused past its lease (a long GC, a frozen VM): b takes it
    expect(await repos.leases.acquire(POLLER_LEASE, 'b', 1_000)).toBeDefined();
    await waitUntil(() => lost === 1, 2_000, 'lease lost');
    stop();
    await a.release(); // not a's any more: b keeps it
    expect((await repos.leases.get(POLLER_LEASE))?.holder).toBe('b');
  });
});
