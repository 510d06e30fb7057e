import { describe, expect, it } from 'vitest';
import { SCRUBBED_SYSTEM_TEXT } from '../../../src/store/repos/index.js';
import { at, ledgerEntry, outboxItem } from './fixtures.js';
import { BAD_LIMITS, concurrently, expectCode, type GetRepos } from './harness.js';

const claim = (repos: GetRepos, holder: string, minutes = 0, limit = 10, leaseMs = 60_000) =>
  repos().outbox.claimDue({ now: at(minutes), limit, holder, leaseMs });

export function outboxTests(repos: GetRepos): void {
  describe('email outbox', () => {
    it('enqueues pending items and queues one reply per (thread, source, kind) even under concurrency', async () => {
      const first = await repos().outbox.enqueue(outboxItem('out_1', {}, { sourceId: 'email:<in@x>', replyKind: 'reply' }));
      expect(first).toEqual({ queued: true, item: { ...outboxItem('out_1', {}, { sourceId: 'email:<in@x>', replyKind: 'reply' }), status: 'pending', attempts: 0 } });
      const again = await concurrently(5, (i) => repos().outbox.enqueue(outboxItem(`out_dup${i}`, {}, { sourceId: 'email:<in@x>', replyKind: 'reply' })));
      expect(again.every((r) => !r.queued && r.item.id === 'out_1')).toBe(true);
      expect((await repos().outbox.enqueue(outboxItem('out_2', {}, { sourceId: 'email:<in@x>', replyKind: 'busy' }))).queued).toBe(true);
      await expectCode(repos().outbox.enqueue(outboxItem('out_2')), 'conflict');
      expect((await repos().outbox.findReply('email:<root@example.com>', 'email:<in@x>', 'busy'))?.id).toBe('out_2');
      expect(await repos().outbox.findReply('email:<root@example.com>', 'email:<in@x>', 'notice')).toBeUndefined();
      expect(await repos().outbox.countPending()).toBe(2);
    });

    it('claims due items oldest first, one per thread in order, and never hands an item to two claimers', async () => {
      await repos().outbox.enqueue(outboxItem('out_a1', { threadKey: 'a', createdAt: at(0), nextAttemptAt: at(2) }));
      await repos().outbox.enqueue(outboxItem('out_a2', { threadKey: 'a', createdAt: at(1), nextAttemptAt: at(0) }));
      await repos().outbox.enqueue(outboxItem('out_b1', { threadKey: 'b', createdAt: at(0), nextAttemptAt: at(1) }));
      await repos().outbox.enqueue(outboxItem('out_c1', { threadKey: 'c', createdAt: at(0), nextAttemptAt: at(50) }));
      for (let i = 0; i < 20; i++) await repos().outbox.enqueue(outboxItem(`out_t${i}`, { threadKey: `t${i}`, createdAt: at(0), nextAttemptAt: at(3) }));
      expect((await claim(repos, 'w0', 1, 10, 3_600_000)).map((o) => o.id)).toEqual(['out_b1']);
      const claims = await concurrently(6, (i) => claim(repos, `w${i + 1}`, 10, 5));
      const ids = claims.flat().map((o) => o.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.sort()).toEqual(['out_a1', ...Array.from({ length: 20 }, (_, i) => `out_t${i}`)].sort());
      for (const [i, got] of claims.entries()) for (const o of got) expect(o).toMatchObject({ claimedBy: `w${i + 1}`, claimedUntil: at(11) });
      expect(await claim(repos, 'w9', 10)).toEqual([]);
      for (const bad of BAD_LIMITS) await expectCode(repos().outbox.claimDue({ now: at(0), limit: bad, holder: 'w', leaseMs: 1000 }), 'bad_input');
    });

    it('lets an ended claim be taken over; only the current claimer records an outcome', async () => {
      await repos().outbox.enqueue(outboxItem('out_1'));
      expect((await claim(repos, 'w1', 0, 10, 30_000)).map((o) => o.id)).toEqual(['out_1']);
      expect(await claim(repos, 'w2', 0.4)).toEqual([]);
      expect((await claim(repos, 'w2', 0.5)).map((o) => o.claimedBy)).toEqual(['w2']);
      expect(await repos().outbox.markSent('out_1', 'w1', at(1))).toBe(false);
      expect(await repos().outbox.retryLater('out_1', 'w1', { attempts: 1, error: 'x', nextAttemptAt: at(5) })).toBe(false);
      expect(await repos().outbox.release('out_1', 'w1')).toBe(false);
      expect(await repos().outbox.markSent('out_1', 'w2', at(1))).toBe(true);
      const sent = await repos().outbox.get('out_1');
      expect(sent).toMatchObject({ status: 'sent', attempts: 1, sentAt: at(1), payload: { text: 'Hello' } });
      expect(sent).not.toHaveProperty('claimedBy');
      expect(await repos().outbox.markSent('out_1', 'w2', at(2))).toBe(false);
      expect(await repos().outbox.countPending()).toBe(0);
    });

    it('retries later, releases, fails, and scrubs system mail bodies on a final outcome', async () => {
      await repos().outbox.enqueue(outboxItem('out_sys', { threadKey: 'system:a' }, { kind: 'system', text: 'reset link https://x/reset/secret', html: '<p>secret</p>' }));
      await repos().outbox.enqueue(outboxItem('out_sys2', { threadKey: 'system:b' }, { kind: 'system', text: 'secret 2' }));
      await claim(repos, 'w');
      expect(await repos().outbox.retryLater('out_sys', 'w', { attempts: 1, error: '421 busy', nextAttemptAt: at(5) })).toBe(true);
      expect(await repos().outbox.get('out_sys')).toMatchObject({ status: 'pending', attempts: 1, lastError: '421 busy', nextAttemptAt: at(5), payload: { text: 'reset link https://x/reset/secret' } });
      expect(await repos().outbox.nextDueAt()).toBe(at(0));
      expect(await repos().outbox.release('out_sys2', 'w')).toBe(true);
      expect(await claim(repos, 'w', 1)).toHaveLength(1);
      expect(await repos().outbox.markFailed('out_sys2', 'w', { error: '550 no such user' })).toBe(true);
      expect(await repos().outbox.get('out_sys2')).toMatchObject({ status: 'failed', lastError: '550 no such user', payload: { text: SCRUBBED_SYSTEM_TEXT.failed } });
      expect(await repos().outbox.nextDueAt()).toBe(at(5));
      await claim(repos, 'w', 5);
      expect(await repos().outbox.markSent('out_sys', 'w', at(6))).toBe(true);
      const sent = await repos().outbox.get('out_sys');
      expect(sent?.payload.text).toBe(SCRUBBED_SYSTEM_TEXT.sent);
      expect(sent?.payload).not.toHaveProperty('html');
      expect(sent).not.toHaveProperty('lastError');
      expect(await repos().outbox.nextDueAt()).toBeUndefined();
    });

    it('puts mail in the dev mailbox (kept, listed newest first) and scrubs a system mail there once its link is used', async () => {
      await repos().outbox.enqueue(outboxItem('out_d1', { threadKey: 'system:password-reset:apr_1', createdAt: at(0) }, { kind: 'system', text: 'link https://x/reset/s1', html: '<p>s1</p>' }));
      await repos().outbox.enqueue(outboxItem('out_d2', { threadKey: 'system:address-confirm:adr_1', createdAt: at(0) }, { kind: 'system', text: 'link https://x/confirm-address/s2' }));
      await repos().outbox.enqueue(outboxItem('out_d3', { threadKey: 'system:other', createdAt: at(0), nextAttemptAt: at(50) }, { kind: 'system', text: 'later' }));
      expect(await repos().outbox.markDev('out_d1', 'w', at(1))).toBe(false); // not claimed
      expect((await claim(repos, 'w', 0)).map((o) => o.id).sort()).toEqual(['out_d1', 'out_d2']);
      expect(await repos().outbox.markDev('out_d1', 'other', at(1))).toBe(false);
      expect(await repos().outbox.markDev('out_d1', 'w', at(1))).toBe(true);
      expect(await repos().outbox.markDev('out_d1', 'w', at(2))).toBe(false); // no longer pending
      expect(await repos().outbox.markDev('out_d2', 'w', at(2))).toBe(true);
      const d1 = await repos().outbox.get('out_d1');
      expect(d1).toMatchObject({ status: 'dev', attempts: 1, sentAt: at(1), payload: { text: 'link https://x/reset/s1', html: '<p>s1</p>' } });
      expect(d1).not.toHaveProperty('claimedBy');
      expect(await repos().outbox.countPending()).toBe(1);
      expect(await claim(repos, 'w', 10)).toEqual([]);
      expect((await repos().outbox.listDev(10)).map((o) => o.id)).toEqual(['out_d2', 'out_d1']);
      expect((await repos().outbox.listDev(1)).map((o) => o.id)).toEqual(['out_d2']);
      for (const bad of BAD_LIMITS) await expectCode(repos().outbox.listDev(bad), 'bad_input');
      expect(await repos().outbox.scrubDev('system:password-reset:apr_1')).toBe(1);
      expect(await repos().outbox.scrubDev('system:password-reset:apr_1')).toBe(0);
      expect(await repos().outbox.scrubDev('system:other')).toBe(0); // pending: not in the dev mailbox
      const used = await repos().outbox.get('out_d1');
      expect(used).toMatchObject({ status: 'dev', payload: { text: SCRUBBED_SYSTEM_TEXT.used } });
      expect(used?.payload).not.toHaveProperty('html');
      expect((await repos().outbox.get('out_d2'))?.payload.text).toBe('link https://x/confirm-address/s2');
      expect((await repos().outbox.get('out_d3'))?.payload.text).toBe('later');
    });

    it('keeps the first Message-ID and finds recipients by Message-ID for bounces', async () => {
      await repos().outbox.enqueue(outboxItem('out_1'));
      await repos().outbox.enqueue(outboxItem('out_2', {}, { to: 'other@example.com', messageId: '<given@x>' }));
      const ids = await concurrently(5, (i) => repos().outbox.setMessageId('out_1', `<m${i}@x>`));
      expect(new Set(ids).size).toBe(1);
      expect((await repos().outbox.get('out_1'))?.payload.messageId).toBe(ids[0]);
      expect(await repos().outbox.setMessageId('out_2', '<new@x>')).toBe('<given@x>');
      expect(await repos().outbox.setMessageId('out_404', '<new@x>')).toBeUndefined();
      expect((await repos().outbox.recipientsOf([ids[0]!.toUpperCase(), '<GIVEN@x>', '<none@x>'])).sort()).toEqual(['other@example.com', 'someone@example.com']);
    });

    it('prunes finished mail past retention, except replies to messages still waiting in the ledger', async () => {
      await repos().ledger.claim(ledgerEntry('email:<wait@x>', { status: 'queued' }));
      await repos().outbox.enqueue(outboxItem('out_old', { threadKey: 'a', createdAt: at(-100) }));
      await repos().outbox.enqueue(outboxItem('out_wait', { threadKey: 'b', createdAt: at(-100) }, { sourceId: 'email:<wait@x>', replyKind: 'reply' }));
      await repos().outbox.enqueue(outboxItem('out_pending', { threadKey: 'c', createdAt: at(-100), nextAttemptAt: at(100) }));
      await repos().outbox.enqueue(outboxItem('out_new', { threadKey: 'd', createdAt: at(-100) }));
      await claim(repos, 'w', 0);
      await repos().outbox.markSent('out_old', 'w', at(-50));
      await repos().outbox.markSent('out_wait', 'w', at(-50));
      await repos().outbox.markFailed('out_new', 'w', { error: 'x', attempts: 3 });
      expect((await repos().outbox.get('out_new'))?.attempts).toBe(3);
      expect(await repos().outbox.prune(at(-10), 10)).toBe(2);
      expect(await repos().outbox.get('out_old')).toBeUndefined();
      expect(await repos().outbox.get('out_new')).toBeUndefined();
      expect(await repos().outbox.get('out_wait')).toBeDefined();
      expect(await repos().outbox.get('out_pending')).toBeDefined();
      await repos().ledger.update('email:<wait@x>', { status: 'done' }, at(0));
      expect(await repos().outbox.prune(at(-10), 10)).toBe(1);
    });
  });
}
