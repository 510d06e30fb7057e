import type { Conversation } from '../../schema.js';
import { checkLimit, instant } from '../../repos/common.js';
import type { ConversationRepository } from '../../repos/conversations.js';
import type { Session } from '../db.js';
import { conversationOf } from '../records.js';
import { iso, jsonParam, num, str } from '../rows.js';

const GET = 'SELECT * FROM conversations WHERE thread_key = $1';
const GET_LOCKED = `${GET} FOR NO KEY UPDATE`;

/** Create (caller kind as given, empty transcript) or refresh; meta merges key by key; a customer once set stays. */
const TOUCH = `
INSERT INTO conversations AS c (thread_key, channel, caller_kind, customer_id, created_at, updated_at, meta)
VALUES ($1, $2, $3, $4, $5, $5, $6::jsonb)
ON CONFLICT (thread_key) DO UPDATE SET caller_kind = EXCLUDED.caller_kind, customer_id = coalesce(EXCLUDED.customer_id, c.customer_id),
  meta = c.meta || EXCLUDED.meta, updated_at = EXCLUDED.updated_at
RETURNING *`;

/**
 * The transcript replaces messages, summary and usage; `appliedMessageIds` replaces that meta key only. With a touch
 * ($13 not null): caller kind $13, customer $14 (kept when null), meta $15 merged; then the keys $16 are removed.
 */
const SAVE = `
INSERT INTO conversations AS c (thread_key, channel, caller_kind, customer_id, created_at, updated_at, summary, input_tokens, output_tokens, cache_read_tokens,
  cache_creation_tokens, meta, messages, message_count, messages_chars)
VALUES ($1, $2, coalesce($13, 'anonymous'), $14, $3, $3, $4, $5, $6, $7, $8,
  ($15::jsonb || jsonb_build_object('appliedMessageIds', $9::jsonb)) - $16::text[], $10::json, $11, $12)
ON CONFLICT (thread_key) DO UPDATE SET summary = EXCLUDED.summary, input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens,
  cache_read_tokens = EXCLUDED.cache_read_tokens, cache_creation_tokens = EXCLUDED.cache_creation_tokens,
  caller_kind = coalesce($13, c.caller_kind), customer_id = coalesce(EXCLUDED.customer_id, c.customer_id),
  meta = (c.meta || EXCLUDED.meta) - $16::text[],
  messages = EXCLUDED.messages, message_count = EXCLUDED.message_count, messages_chars = EXCLUDED.messages_chars, updated_at = EXCLUDED.updated_at
RETURNING *`;

const LIVE = `
SELECT thread_key, updated_at, messages_chars FROM conversations
WHERE message_count > 0 AND ($2::timestamptz IS NULL OR (updated_at, (thread_key::text COLLATE "C")) > ($2, $3::text COLLATE "C"))
ORDER BY updated_at, (thread_key::text COLLATE "C") LIMIT $1`;

/**
 * Compaction: only while `updated_at` is still the one the caller read; `updated_at` stays. The port hands times
 * out at millisecond precision while a column may hold microseconds (rows written by SQL, imports, `now()`), so
 * "still the one read" is the millisecond the caller saw; an equality test would never match such a row.
 */
const COMPACT = `
UPDATE conversations SET messages = '[]'::json, message_count = 0, messages_chars = 2, summary = $2,
  meta = (meta - 'appliedMessageIds') || jsonb_build_object('compactedAt', $3::text)
WHERE thread_key = $1 AND updated_at >= $4::timestamptz AND updated_at < $4::timestamptz + interval '1 millisecond'
RETURNING *`;

export function pgConversations(s: Session): ConversationRepository {
  const one = (rows: Record<string, unknown>[]): Conversation | undefined => rows.map(conversationOf)[0];
  return {
    get: (threadKey) => s.run('read', async (q) => one(await q.rows(s.locking ? GET_LOCKED : GET, [threadKey]))),
    exists: (threadKey) => s.run('read', async (q) => (await q.rows('SELECT 1 FROM conversations WHERE thread_key = $1', [threadKey])).length > 0),

    touch: (threadKey, t) => s.run('write', async (q) =>
      one(await q.rows(TOUCH, [threadKey, t.channel, t.callerKind, t.customerId ?? null, t.at, jsonParam(t.meta ?? {})])) as Conversation),

    saveTranscript: (threadKey, w) => s.run('write', async (q) => {
      // The size estimate is the length of the messages' JSON text as JavaScript writes it.
      const text = JSON.stringify(w.messages);
      return one(await q.rows(SAVE, [threadKey, w.channel, w.at, w.summary ?? null, w.usage.inputTokens, w.usage.outputTokens, w.usage.cacheReadTokens,
        w.usage.cacheCreationTokens, jsonParam(w.appliedMessageIds), text, w.messages.length, text.length,
        w.touch?.callerKind ?? null, w.touch?.customerId ?? null, jsonParam(w.touch?.meta ?? {}), [...(w.unsetMeta ?? [])]])) as Conversation;
    }),

    patchMeta: (threadKey, p) => s.run('write', async (q) =>
      (await q.count('UPDATE conversations SET meta = (meta || $2::jsonb) - $3::text[] WHERE thread_key = $1',
        [threadKey, jsonParam(p.set ?? {}), [...(p.unset ?? [])]])) > 0),

    listLive: (limit, after) => s.run('read', async (q) => {
      checkLimit(limit);
      if (after) instant(after.updatedAt, 'after.updatedAt');
      const rows = await q.rows(LIVE, [limit, after?.updatedAt ?? null, after?.threadKey ?? null]);
      return rows.map((r) => ({ threadKey: str(r['thread_key']), updatedAt: iso(r['updated_at']), chars: num(r['messages_chars']) }));
    }),

    listForCustomer: (customerId, limit) => s.run('read', async (q) => {
      checkLimit(limit);
      const rows = await q.rows(`SELECT thread_key, channel, created_at, updated_at FROM conversations
        WHERE customer_id = $1 AND caller_kind = 'customer' ORDER BY updated_at DESC, thread_key COLLATE "C" LIMIT $2`, [customerId, limit]);
      return rows.map((r) => ({ threadKey: str(r['thread_key']), channel: str(r['channel']) as Conversation['channel'], createdAt: iso(r['created_at']), updatedAt: iso(r['updated_at']) }));
    }),

    compact: (threadKey, k) => s.run('write', async (q) => {
      instant(k.expectUpdatedAt, 'expectUpdatedAt');
      const won = one(await q.rows(COMPACT, [threadKey, k.summary ?? null, k.at, k.expectUpdatedAt]));
      if (won) return { won: true as const, record: won };
      return { won: false as const, record: one(await q.rows(GET, [threadKey])) };
    }),
  };
}
