import { checkLimit, instant } from '../../repos/common.js';
import type { SlackStateRepository } from '../../repos/slack.js';
import type { Session } from '../db.js';

export function pgSlackState(s: Session): SlackStateRepository {
  return {
    joinThread: (threadRef, at) => s.run('write', async (q) => {
      await q.count(`INSERT INTO slack_threads (thread_ref, joined_at) VALUES ($1, $2)
        ON CONFLICT (thread_ref) DO UPDATE SET joined_at = EXCLUDED.joined_at`, [threadRef, at]);
    }),

    isThreadJoined: (threadRef) => s.run('read', async (q) => (await q.rows('SELECT 1 FROM slack_threads WHERE thread_ref = $1', [threadRef])).length > 0),

    /** Insert-if-absent: the first record stays. */
    recordPosted: (chunkKey, ts, at) => s.run('write', async (q) =>
      (await q.count('INSERT INTO slack_posted (chunk_key, ts, posted_at) VALUES ($1, $2, $3) ON CONFLICT (chunk_key) DO NOTHING', [chunkKey, ts, at])) === 1),

    postedTs: (chunkKey) => s.run('read', async (q) => {
      const [r] = await q.rows('SELECT ts FROM slack_posted WHERE chunk_key = $1', [chunkKey]);
      return r ? String(r['ts']) : undefined;
    }),

    prune: (before, limit) => s.run('write', async (q) => {
      checkLimit(limit);
      instant(before, 'before');
      const threads = await q.count(`DELETE FROM slack_threads WHERE thread_ref IN (
        SELECT thread_ref FROM slack_threads WHERE joined_at < $1 ORDER BY joined_at LIMIT $2 FOR UPDATE SKIP LOCKED)`, [before, limit]);
      if (threads >= limit) return threads;
      return threads + await q.count(`DELETE FROM slack_posted WHERE chunk_key IN (
        SELECT chunk_key FROM slack_posted WHERE posted_at < $1 ORDER BY posted_at LIMIT $2 FOR UPDATE SKIP LOCKED)`, [before, limit - threads]);
    }),
  };
}
