import { describe, expect, it } from 'vitest';
import { BUDGET_WINDOW_MS, takeReplyBudget } from '../../../src/channels/email/inbound/reply-budget.js';
import { reposFor } from '../../helpers/test-engine.js';

const limits = { perSender: 3, perThread: 2 };

describe('reply budget', () => {
  it('allows N replies per sender per hour, then refuses with one alert per window, and recovers after the window', async () => {
    const repos = await reposFor();
    const t0 = new Date('2026-01-01T10:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const take = (thread: string, ms: number) => takeReplyBudget(repos, { sender: 'Dave@X.test', threadKey: thread, limits, now: at(ms) });
    expect((await take('email:<1>', 0)).ok).toBe(true);
    expect((await take('email:<2>', 1_000)).ok).toBe(true);
    expect((await take('email:<3>', 2_000)).ok).toBe(true);
    expect(await take('email:<4>', 3_000)).toEqual({ ok: false, over: 'sender', key: 'sender:dave@x.test', alert: true });
    expect(await take('email:<5>', 4_000)).toMatchObject({ ok: false, alert: false });
    // The sliding window: an hour after the first reply there is room again.
    expect((await take('email:<6>', BUDGET_WINDOW_MS + 1)).ok).toBe(true);
  });

  it('limits one thread even across senders', async () => {
    const repos = await reposFor();
    const now = new Date('2026-01-01T10:00:00Z');
    expect((await takeReplyBudget(repos, { sender: 'a@x.test', threadKey: 'email:<t>', limits, now })).ok).toBe(true);
    expect((await takeReplyBudget(repos, { sender: 'b@x.test', threadKey: 'email:<t>', limits, now })).ok).toBe(true);
    expect(await takeReplyBudget(repos, { sender: 'c@x.test', threadKey: 'email:<t>', limits, now })).toMatchObject({ ok: false, over: 'thread', alert: true });
    expect((await takeReplyBudget(repos, { sender: 'c@x.test', threadKey: 'email:<other>', limits, now })).ok).toBe(true);
  });

  it('never exceeds a budget under concurrent takers, and alerts once', async () => {
    const repos = await reposFor();
    const now = new Date('2026-01-01T10:00:00Z');
    const verdicts = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      repos.transaction((tx) => takeReplyBudget(tx, { sender: 'eve@x.test', threadKey: `email:<${i}>`, limits, now }))));
    expect(verdicts.filter((v) => v.ok)).toHaveLength(3);
    expect(verdicts.filter((v) => !v.ok && v.alert)).toHaveLength(1);
  });
});
