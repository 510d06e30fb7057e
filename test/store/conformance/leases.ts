import { describe, expect, it } from 'vitest';
import { at, sleep } from './fixtures.js';
import { concurrently, expectCode, type GetRepos } from './harness.js';

export function leaseTests(repos: GetRepos): void {
  describe('leases', () => {
    it('gives a free lease to exactly one of concurrent acquirers', async () => {
      const results = await concurrently(10, (i) => repos().leases.acquire('imap-poller', `i${i}`, 60_000));
      const won = results.filter((l) => l !== undefined);
      expect(won).toHaveLength(1);
      const holder = won[0]!.holder;
      expect(await repos().leases.get('imap-poller')).toMatchObject({ name: 'imap-poller', holder, fence: won[0]!.fence });
      expect(await repos().leases.acquire('imap-poller', 'someone-else', 60_000)).toBeUndefined();
      expect(await repos().leases.acquire('approval-sweep', 'someone-else', 60_000)).toBeDefined();
    });

    it('lets the holder re-acquire and renew (same fence), and nobody else', async () => {
      const a = await repos().leases.acquire('sweep', 'h1', 60_000);
      const again = await repos().leases.acquire('sweep', 'h1', 120_000);
      expect(again?.fence).toBe(a?.fence);
      expect(Date.parse(again!.until)).toBeGreaterThanOrEqual(Date.parse(a!.until));
      const renewed = await repos().leases.renew('sweep', 'h1', 60_000);
      expect(renewed).toMatchObject({ holder: 'h1', fence: a?.fence });
      expect(await repos().leases.renew('sweep', 'h2', 60_000)).toBeUndefined();
      expect(await repos().leases.release('sweep', 'h2')).toBe(false);
      expect(await repos().leases.get('sweep')).toMatchObject({ holder: 'h1' });
    });

    it('ends on release or expiry; a takeover gets a higher fence and the old holder cannot renew', async () => {
      const a = await repos().leases.acquire('poller', 'h1', 60_000);
      expect(await repos().leases.release('poller', 'h1')).toBe(true);
      expect(await repos().leases.get('poller')).toBeUndefined();
      expect(await repos().leases.release('poller', 'h1')).toBe(false);
      const b = await repos().leases.acquire('poller', 'h2', 150);
      expect(b!.fence).toBeGreaterThan(a!.fence);
      expect(await repos().leases.acquire('poller', 'h3', 60_000)).toBeUndefined();
      await sleep(400);
      expect(await repos().leases.get('poller')).toBeUndefined();
      expect(await repos().leases.renew('poller', 'h2', 60_000)).toBeUndefined();
      const c = await repos().leases.acquire('poller', 'h3', 60_000);
      expect(c).toMatchObject({ holder: 'h3' });
      expect(c!.fence).toBeGreaterThan(b!.fence);
      await expectCode(repos().leases.acquire('poller', 'h3', 0), 'bad_input');
      await expectCode(repos().leases.acquire('', 'h3', 1000), 'bad_input');
    });

    it('forgets ended leases of one name prefix, never a live one or another prefix', async () => {
      await repos().leases.acquire('thread:a', 'h1', 60_000);
      await repos().leases.acquire('thread:b', 'h1', 60_000);
      await repos().leases.acquire('thread:c', 'h2', 60_000);
      await repos().leases.acquire('poller', 'h1', 60_000);
      await repos().leases.release('thread:a', 'h1');
      await repos().leases.release('thread:b', 'h1');
      await repos().leases.release('poller', 'h1');
      await sleep(20);
      const later = new Date(Date.now() + 1000).toISOString();
      expect(await repos().leases.pruneEnded('thread:', later, 1)).toBe(1);
      expect(await repos().leases.pruneEnded('thread:', later, 10)).toBe(1);
      expect(await repos().leases.pruneEnded('thread:', later, 10)).toBe(0);
      expect(await repos().leases.get('thread:c')).toMatchObject({ holder: 'h2' });
      // the poller's ended lease is kept: its next tenure still gets a higher fence
      expect((await repos().leases.acquire('poller', 'h2', 60_000))!.fence).toBe(2);
      expect((await repos().leases.acquire('thread:a', 'h2', 60_000))!.fence).toBe(1);
      await expectCode(repos().leases.pruneEnded('', later, 10), 'bad_input');
    });
  });

  describe('slack state', () => {
    it('remembers joined threads and posted chunks (first record wins), and prunes old ones', async () => {
      expect(await repos().slack.isThreadJoined('C1:1.0')).toBe(false);
      await repos().slack.joinThread('C1:1.0', at(0));
      await repos().slack.joinThread('C1:2.0', at(-100));
      expect(await repos().slack.isThreadJoined('C1:1.0')).toBe(true);
      const posted = await concurrently(5, (i) => repos().slack.recordPosted('digest:0', `9.${i}`, at(0)));
      expect(posted.filter(Boolean)).toHaveLength(1);
      expect(await repos().slack.postedTs('digest:0')).toBe(`9.${posted.indexOf(true)}`);
      expect(await repos().slack.postedTs('digest:1')).toBeUndefined();
      await repos().slack.recordPosted('digest:old', '1.1', at(-100));
      expect(await repos().slack.prune(at(-10), 10)).toBe(2);
      expect(await repos().slack.isThreadJoined('C1:2.0')).toBe(false);
      expect(await repos().slack.postedTs('digest:old')).toBeUndefined();
      expect(await repos().slack.postedTs('digest:0')).toBeDefined();
    });
  });
}
