import { describe, expect, it } from 'vitest';
import type { TranscriptWrite } from '../../../src/store/repos/index.js';
import { at, seedCustomer } from './fixtures.js';
import { BAD_LIMITS, concurrently, expectCode, type GetRepos } from './harness.js';

const usage = { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheCreationTokens: 0 };
const write = (minutes: number, extra: Partial<TranscriptWrite> = {}): TranscriptWrite => ({
  channel: 'slack', messages: [{ role: 'user', content: `hi ${minutes}` }], usage, appliedMessageIds: [`m${minutes}`], at: at(minutes), ...extra,
});

export function conversationTests(repos: GetRepos): void {
  describe('conversations', () => {
    it('lists a customer\'s own threads on every channel, most recent first, without staff or anonymous ones', async () => {
      await seedCustomer(repos(), 1);
      await seedCustomer(repos(), 2);
      await repos().conversations.touch('email:<a@x>', { channel: 'email', callerKind: 'customer', customerId: 'cus_001', at: at(1) });
      await repos().conversations.touch('web:cus_001:th_b', { channel: 'web', callerKind: 'customer', customerId: 'cus_001', at: at(3) });
      await repos().conversations.touch('slack:T:C:1.0', { channel: 'slack', callerKind: 'customer', customerId: 'cus_001', at: at(0) });
      await repos().conversations.touch('slack:T:C:2.0', { channel: 'slack', callerKind: 'customer', customerId: 'cus_002', at: at(5) });
      await repos().conversations.touch('slack:T:D:3.0', { channel: 'slack', callerKind: 'staff', customerId: 'cus_001', at: at(6) });
      await repos().conversations.touch('web:anon:th_c', { channel: 'web', callerKind: 'anonymous', at: at(7) });
      await repos().conversations.touch('slack:T:C:1.0', { channel: 'slack', callerKind: 'customer', customerId: 'cus_001', at: at(4) });
      const mine = await repos().conversations.listForCustomer('cus_001', 10);
      expect(mine).toEqual([
        { threadKey: 'slack:T:C:1.0', channel: 'slack', createdAt: at(0), updatedAt: at(4) },
        { threadKey: 'web:cus_001:th_b', channel: 'web', createdAt: at(3), updatedAt: at(3) },
        { threadKey: 'email:<a@x>', channel: 'email', createdAt: at(1), updatedAt: at(1) },
      ]);
      expect((await repos().conversations.listForCustomer('cus_001', 1)).map((t) => t.threadKey)).toEqual(['slack:T:C:1.0']);
      expect(await repos().conversations.listForCustomer('cus_404', 10)).toEqual([]);
      for (const bad of BAD_LIMITS) await expectCode(repos().conversations.listForCustomer('cus_001', bad), 'bad_input');
    });

    it('creates a thread record on touch and refreshes it, merging meta', async () => {
      expect(await repos().conversations.exists('slack:a')).toBe(false);
      const created = await repos().conversations.touch('slack:a', { channel: 'slack', callerKind: 'customer', customerId: 'cus_001', meta: { slackChannel: 'C1' }, at: at(0) });
      expect(created).toEqual({
        threadKey: 'slack:a', channel: 'slack', callerKind: 'customer', customerId: 'cus_001', createdAt: at(0), updatedAt: at(0), messages: [],
        usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 }, meta: { slackChannel: 'C1' },
      });
      const again = await repos().conversations.touch('slack:a', { channel: 'email', callerKind: 'staff', meta: { slackTs: '1.1' }, at: at(5) });
      expect(again).toMatchObject({ channel: 'slack', callerKind: 'staff', customerId: 'cus_001', createdAt: at(0), updatedAt: at(5), meta: { slackChannel: 'C1', slackTs: '1.1' } });
      expect(await repos().conversations.exists('slack:a')).toBe(true);
      expect(await repos().conversations.get('slack:a')).toEqual(again);
    });

    it('creates a new thread once under concurrent touches', async () => {
      await concurrently(10, (i) => repos().conversations.touch('email:x', { channel: 'email', callerKind: 'anonymous', meta: { [`k${i}`]: i }, at: at(i) }));
      const c = await repos().conversations.get('email:x');
      expect(Object.keys(c?.meta ?? {})).toHaveLength(10);
      expect(c?.createdAt).toBeDefined();
    });

    it('saves transcripts whole, keeping other meta, and returns copies', async () => {
      await repos().conversations.touch('slack:a', { channel: 'slack', callerKind: 'anonymous', meta: { keep: 1 }, at: at(0) });
      const w = write(1, { summary: 'earlier turns' });
      const saved = await repos().conversations.saveTranscript('slack:a', w);
      (w.messages as Array<{ content: string }>)[0]!.content = 'changed by caller';
      expect(saved).toMatchObject({ summary: 'earlier turns', usage, updatedAt: at(1), meta: { keep: 1, appliedMessageIds: ['m1'] } });
      const stored = await repos().conversations.get('slack:a');
      expect(stored?.messages).toEqual([{ role: 'user', content: 'hi 1' }]);
      const next = await repos().conversations.saveTranscript('slack:a', write(2));
      expect(next.summary).toBeUndefined();
      expect(next.meta).toEqual({ keep: 1, appliedMessageIds: ['m2'] });
      const fresh = await repos().conversations.saveTranscript('terminal:u:1', write(3, { channel: 'terminal' }));
      expect(fresh).toMatchObject({ channel: 'terminal', callerKind: 'anonymous', createdAt: at(3), messages: [{ role: 'user', content: 'hi 3' }] });
    });

    it('saves a transcript and refreshes the thread record in one write (touch, flags removed)', async () => {
      await repos().conversations.touch('slack:a', { channel: 'slack', callerKind: 'customer', customerId: 'cus_001', meta: { holdingSentAt: at(0), keep: 1 }, at: at(0) });
      const saved = await repos().conversations.saveTranscript('slack:a', { ...write(2), touch: { callerKind: 'staff', meta: { slackTs: '2.2' } }, unsetMeta: ['holdingSentAt'] });
      expect(saved).toMatchObject({ callerKind: 'staff', customerId: 'cus_001', updatedAt: at(2), messages: [{ role: 'user', content: 'hi 2' }] });
      expect(saved.meta).toEqual({ keep: 1, slackTs: '2.2', appliedMessageIds: ['m2'] });
      const fresh = await repos().conversations.saveTranscript('email:new', { ...write(3, { channel: 'email' }), touch: { callerKind: 'customer', customerId: 'cus_001', meta: { subject: 'Hi' } } });
      expect(fresh).toMatchObject({ channel: 'email', callerKind: 'customer', customerId: 'cus_001', createdAt: at(3), meta: { subject: 'Hi', appliedMessageIds: ['m3'] } });
      const plain = await repos().conversations.saveTranscript('email:new', write(4, { channel: 'email' }));
      expect(plain).toMatchObject({ callerKind: 'customer', customerId: 'cus_001', meta: { subject: 'Hi', appliedMessageIds: ['m4'] } });
      expect(await repos().conversations.get('slack:a')).toEqual(saved);
    });

    it('sets and removes meta flags without touching updatedAt or creating threads', async () => {
      await repos().conversations.touch('slack:a', { channel: 'slack', callerKind: 'anonymous', meta: { holdingSentAt: at(0), other: 1 }, at: at(0) });
      expect(await repos().conversations.patchMeta('slack:a', { set: { secretWarningSentAt: at(3) }, unset: ['holdingSentAt'] })).toBe(true);
      expect(await repos().conversations.get('slack:a')).toMatchObject({ updatedAt: at(0), meta: { other: 1, secretWarningSentAt: at(3) } });
      expect((await repos().conversations.get('slack:a'))?.meta).not.toHaveProperty('holdingSentAt');
      expect(await repos().conversations.patchMeta('slack:none', { set: { x: 1 } })).toBe(false);
      expect(await repos().conversations.exists('slack:none')).toBe(false);
    });

    it('lists live threads least recently updated first, paged, with their size', async () => {
      await repos().conversations.saveTranscript('t:c', write(3));
      await repos().conversations.saveTranscript('t:a', write(1));
      await repos().conversations.saveTranscript('t:b', write(1));
      await repos().conversations.touch('t:empty', { channel: 'slack', callerKind: 'anonymous', at: at(0) });
      const all = await repos().conversations.listLive(10);
      expect(all.map((l) => l.threadKey)).toEqual(['t:a', 't:b', 't:c']);
      expect(all[0]).toEqual({ threadKey: 't:a', updatedAt: at(1), chars: JSON.stringify([{ role: 'user', content: 'hi 1' }]).length });
      const page = await repos().conversations.listLive(2);
      const rest = await repos().conversations.listLive(2, { updatedAt: page[1]!.updatedAt, threadKey: page[1]!.threadKey });
      expect([...page, ...rest].map((l) => l.threadKey)).toEqual(['t:a', 't:b', 't:c']);
      for (const bad of BAD_LIMITS) await expectCode(repos().conversations.listLive(bad), 'bad_input');
    });

    it('compacts only when no write came in between (compare-and-set on updatedAt)', async () => {
      await repos().conversations.saveTranscript('t:a', write(1));
      await repos().conversations.patchMeta('t:a', { set: { keep: true } });
      const stale = await repos().conversations.compact('t:a', { summary: 'S', at: at(9), expectUpdatedAt: at(0) });
      expect(stale.won).toBe(false);
      expect(stale.record?.messages).toHaveLength(1);
      const done = await repos().conversations.compact('t:a', { summary: 'S', at: at(9), expectUpdatedAt: at(1) });
      expect(done.won).toBe(true);
      expect(done.record).toMatchObject({ messages: [], summary: 'S', updatedAt: at(1), meta: { keep: true, compactedAt: at(9) } });
      expect(done.record?.meta).not.toHaveProperty('appliedMessageIds');
      expect(await repos().conversations.listLive(10)).toEqual([]);
      expect(await repos().conversations.compact('t:none', { at: at(9), expectUpdatedAt: at(1) })).toEqual({ won: false, record: undefined });
    });
  });
}
