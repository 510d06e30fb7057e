/**
 * Reply budget: at most N replies per sender and per thread in a sliding hour. Past it the channel stays
 * silent and staff get ONE alert per key per window. Kept in the shards `state['email.budget/xx']` (key → recent
 * reply times; sharded so a reply's write carries one shard, not every sender's times) and
 * `state['email.budgetAlerts']` (key → until when an alert was already sent), swept of expired keys
 * at most once a minute (`state['email.budgetSweptAt']`). Runs inside store.update.
 */
import type { Db } from '../../store/schema.js';
import { shardedMap } from './state-shards.js';

export const BUDGET_WINDOW_MS = 3600_000;
const SWEEP_EVERY_MS = 60_000;
const SWEPT = 'email.budgetSweptAt';
const times = shardedMap<string[]>('email.budget');

export interface BudgetLimits { perSender: number; perThread: number }
export type BudgetVerdict =
  | { ok: true }
  | { ok: false; over: 'sender' | 'thread'; key: string; alert: boolean };

function obj<T>(db: Db, key: string): Record<string, T> {
  const cur = db.state[key];
  if (typeof cur === 'object' && cur !== null && !Array.isArray(cur)) return cur as Record<string, T>;
  const fresh: Record<string, T> = {};
  db.state[key] = fresh;
  return fresh;
}

function recent(list: string[] | undefined, now: number): string[] {
  return (list ?? []).filter((t) => now - Date.parse(t) < BUDGET_WINDOW_MS);
}

/**
 * Take one reply from the sender's and the thread's budget, or say which is spent and whether
 * this is the first refusal of the window (alert staff then, and only then).
 */
export function takeBudget(db: Db, p: { sender: string; threadKey: string; limits: BudgetLimits; now: Date }): BudgetVerdict {
  const alerts = obj<string>(db, 'email.budgetAlerts');
  const t = p.now.getTime();
  const iso = p.now.toISOString();
  const sKey = `sender:${p.sender.toLowerCase()}`;
  const tKey = `thread:${p.threadKey}`;
  // Housekeeping (forget windows that are over) at most once a minute: a sweep reads every key, and doing
  // it per message made a busy inbox quadratic. The two keys used below are always read through `recent`.
  const swept = db.state[SWEPT];
  const age = typeof swept === 'string' ? t - Date.parse(swept) : Number.NaN;
  if (!(age >= 0 && age < SWEEP_EVERY_MS)) {
    times.sweep(db, (v) => recent(v, t).length === 0);
    for (const [k, v] of Object.entries(alerts)) if (Date.parse(v) <= t) delete alerts[k];
    db.state[SWEPT] = iso;
  }

  const s = recent(times.get(db, sKey), t);
  const th = recent(times.get(db, tKey), t);
  const over = s.length >= p.limits.perSender ? ('sender' as const) : th.length >= p.limits.perThread ? ('thread' as const) : undefined;
  if (over) {
    const key = over === 'sender' ? sKey : tKey;
    const until = alerts[key];
    const alert = until === undefined || Date.parse(until) <= t;
    if (alert) alerts[key] = new Date(t + BUDGET_WINDOW_MS).toISOString();
    return { ok: false, over, key, alert };
  }
  times.set(db, sKey, [...s, iso]);
  times.set(db, tKey, [...th, iso]);
  return { ok: true };
}
