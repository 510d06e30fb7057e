/**
 * Stored history for the PostgreSQL memory benchmark: `n` finished email conversations of 3 turns (6 transcript
 * messages of realistic size) and their ledger entries, written with set-based SQL (the product would take hours
 * to produce them one turn at a time). A benchmark fixture, not product code: the product reaches the database
 * only through the repositories.
 */
import pg from 'pg';

const TEXT = 'Hello, I would like to know why my card payment at the grocer was declined yesterday evening. ';

export async function preloadHistory(databaseUrl: string, n: number, customerIds: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    // The transcript is one JSON document per conversation (migration 0002): 6 messages of realistic size.
    await client.query(
      `INSERT INTO conversations (thread_key, channel, caller_kind, customer_id, created_at, updated_at, messages, message_count, messages_chars)
       SELECT k, 'email', 'customer', ($2::text[])[1 + g % array_length($2::text[], 1)],
              now() - make_interval(mins => g), now() - make_interval(mins => g), m, 6, char_length(m::text)
       FROM generate_series(1, $1::int) AS g,
            LATERAL (SELECT 'email:<hist-' || g || '@customers.example>' AS k) AS key,
            LATERAL (SELECT json_agg(json_build_object('role', CASE WHEN s % 2 = 0 THEN 'user' ELSE 'assistant' END,
                      'content', json_build_array(json_build_object('type', 'text', 'text', repeat($3::text, 3) || g)))) AS m
                     FROM generate_series(0, 5) AS s) AS msgs`,
      [n, customerIds, TEXT],
    );
    await client.query(
      `INSERT INTO inbound_ledger (id, thread_key, channel, received_at, status, updated_at)
       SELECT 'email:<hist-' || g || '-' || t || '@customers.example>', 'email:<hist-' || g || '@customers.example>', 'email',
              now() - make_interval(mins => g), 'done', now() - make_interval(mins => g)
       FROM generate_series(1, $1::int) AS g, generate_series(1, 3) AS t`,
      [n],
    );
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}
