/**
 * Which threads are watched, here and by the other instances (the `thread_watchers` table, migration 0008). An
 * instance registers a thread when it starts watching it and announces that by NOTIFY, so the others learn it at
 * once; it renews its rows every third of the TTL and re-reads everyone else's then (an announcement missed while
 * a connection was down is caught up at the latest one renewal later). A dead instance's rows run out after the TTL.
 */
import type pg from 'pg';

type Query = Pick<pg.Client, 'query'>;

export interface WatchersOptions {
  channel: string;
  holder: string;
  ttlMs: number;
  now?: (() => number) | undefined;
}

export function createWatchers(opts: WatchersOptions) {
  const { channel, holder, ttlMs } = opts;
  const now = opts.now ?? Date.now;
  const local = new Set<string>();
  /** thread → holder → until (this process's clock: a TTL from when we heard of it). */
  const remote = new Map<string, Map<string, number>>();

  const announcement = (threadKey: string, on: boolean) => JSON.stringify({ k: on ? 'w' : 'u', o: holder, t: threadKey });

  return {
    local,
    /** Whether an instance other than this one watches the thread (its registration has not run out). */
    elsewhere(threadKey: string): boolean {
      const holders = remote.get(threadKey);
      if (!holders) return false;
      const at = now();
      for (const [h, until] of holders) if (until <= at) holders.delete(h);
      if (holders.size === 0) remote.delete(threadKey);
      return holders.size > 0;
    },
    /** Another instance announced (or withdrew) a watch. */
    heard(threadKey: string, from: string, on: boolean): void {
      if (from === holder) return;
      const holders = remote.get(threadKey) ?? new Map<string, number>();
      if (on) holders.set(from, now() + ttlMs);
      else holders.delete(from);
      if (holders.size > 0) remote.set(threadKey, holders);
      else remote.delete(threadKey);
    },
    /** Another instance stopped: it watches nothing any more. */
    gone(from: string): void {
      for (const [threadKey, holders] of remote) if (holders.delete(from) && holders.size === 0) remote.delete(threadKey);
    },
    /** Withdraw every watch of this instance (it stops), telling the others in the same statement. */
    async withdrawAll(q: Query): Promise<void> {
      await q.query('WITH d AS (DELETE FROM thread_watchers WHERE holder = $2) SELECT pg_notify($1, $3)', [channel, holder, JSON.stringify({ k: 'x', o: holder, t: '' })]);
    },
    /** Register (or withdraw) a watch of this instance, and tell the others in the same statement. */
    async announce(q: Query, threadKey: string, on: boolean): Promise<void> {
      if (on) {
        await q.query(
          `WITH w AS (INSERT INTO thread_watchers (thread_key, holder, until) VALUES ($2, $3, now() + $4 * interval '1 millisecond')
             ON CONFLICT (thread_key, holder) DO UPDATE SET until = EXCLUDED.until)
           SELECT pg_notify($1, $5)`,
          [channel, threadKey, holder, ttlMs, announcement(threadKey, true)],
        );
      } else {
        await q.query('WITH d AS (DELETE FROM thread_watchers WHERE thread_key = $2 AND holder = $3) SELECT pg_notify($1, $4)', [channel, threadKey, holder, announcement(threadKey, false)]);
      }
    },
    /**
     * Renew this instance's rows (all threads watched here, in one statement), re-read the others' registrations,
     * and delete rows that ran out a while ago (instances that went away).
     */
    async renew(q: Query): Promise<void> {
      await q.query(
        `INSERT INTO thread_watchers (thread_key, holder, until) SELECT k, $2, now() + $3 * interval '1 millisecond' FROM unnest($1::text[]) AS k
         ON CONFLICT (thread_key, holder) DO UPDATE SET until = EXCLUDED.until`,
        [[...local], holder, ttlMs],
      );
      const rows = (await q.query<{ thread_key: string; holder: string; left_ms: number }>(
        `SELECT thread_key, holder, (extract(epoch FROM until - now()) * 1000)::float8 AS left_ms
         FROM thread_watchers WHERE until > now() AND holder <> $1`,
        [holder],
      )).rows;
      remote.clear();
      const at = now();
      for (const r of rows) {
        const holders = remote.get(r.thread_key) ?? new Map<string, number>();
        holders.set(r.holder, at + Number(r.left_ms));
        remote.set(r.thread_key, holders);
      }
      await q.query(`DELETE FROM thread_watchers WHERE until < now() - $1 * interval '1 millisecond'`, [ttlMs]);
    },
  };
}

export type Watchers = ReturnType<typeof createWatchers>;
