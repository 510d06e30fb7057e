import { describe, expect, it } from 'vitest';
import { BUDGET_WINDOW_MS, takeBudget } from '../../../src/channels/email/budget-window.js';
import { emptyDb } from '../../../src/store/schema.js';

const limits = { perSender: 3, perThread: 2 };

describe('reply budget', () => {
  it('allows N replies per sender per hour, then refuses with one alert per window, and recovers after the window', () => {
    const db = emptyDb();
    const t0 = new Date('2026-01-01T10:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const take = (thread: string, ms: number) => takeBudget(db, { sender: 'Dave@X.test', threadKey: thread, limits, now: at(ms) });
    expect(take('email:<1>', 0).ok).toBe(true);
    expect(take('email:<2>', 1_000).ok).toBe(true);
    expect(take('email:<3>', 2_000).ok).toBe(true);
    expect(take('email:<4>', 3_000)).toEqual({ ok: false, over: 'sender', key: 'sender:dave@x.test', alert: true });
    expect(take('email:<5>', 4_000)).toMatchObject({ ok: false, alert: false });
    // The sliding window: an hour after the first reply there is room again.
    expect(take('email:<6>', BUDGET_WINDOW_MS + 1).ok).toBe(true);
  });

  it('limits one thread even across senders', () => {
    const db = emptyDb();
    const now = new Date('2026-01-01T10:00:00Z');
    expect(takeBudget(db, { sender: 'a@x.test', threadKey: 'email:<t>', limits, now }).ok).toBe(true);
    expect(takeBudget(db, { sender: 'b@x.test', threadKey: 'email:<t>', limits, now }).ok).toBe(true);
    expect(takeBudget(db, { sender: 'c@x.test', threadKey: 'email:<t>', limits, now })).toMatchObject({ ok: false, over: 'thread', alert: true });
    expect(takeBudget(db, { sender: 'c@x.test', threadKey: 'email:<other>', limits, now }).ok).toBe(true);
  });
});
