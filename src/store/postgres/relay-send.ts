/**
 * Sending relayed events: NOTIFY on one connection, in publish order. While a statement is out, later events wait
 * and then go together in one statement (a burst of streamed text costs one round trip, not one each).
 *
 * Why NOTIFY with a side table for large events (and not a table of every event, or chunking): nearly every event
 * is small (a streamed piece of text, a tool name), and NOTIFY carries it whole to every listener with no row
 * written and no read by the receivers. NOTIFY refuses payloads of 8000 bytes or more; an event that large (a long
 * reply, mostly) is written to `thread_event_bodies` and the NOTIFY carries its id, so it still arrives in order, is
 * read only by the instances that watch its thread, and needs no reassembly of chunks that could arrive in part.
 */
import type pg from 'pg';

/** Payloads up to this many bytes go inline (NOTIFY's limit is 8000; the rest of the envelope is small). */
export const MAX_INLINE_BYTES = 7800;
/** Large bodies are kept this long for the receivers to read (they read them within milliseconds). */
const KEEP_BODIES_MS = 5 * 60_000;

export interface Outgoing {
  /** The whole envelope, when it fits inline. */
  inline?: string | undefined;
  /** Otherwise: the body to store, and the envelope fields (the NOTIFY carries `r`: the body's id). */
  body?: string | undefined;
  envelope?: Record<string, unknown> | undefined;
  /** A thread event (counted as relayed), not a mark. */
  event?: boolean | undefined;
}

type Query = Pick<pg.Client, 'query'>;

/** Send `items` (in order) in as few statements as order allows: runs of inline ones together, each large one alone. */
export async function sendBatch(q: Query, channel: string, items: Outgoing[]): Promise<void> {
  let run: string[] = [];
  const flushRun = async () => {
    if (run.length === 0) return;
    const payloads = run;
    run = [];
    // pg_notify is volatile: it is evaluated after the ORDER BY, so in this order. Every payload carries its own
    // sequence number, so none is folded into an identical one (NOTIFY drops duplicates within a transaction).
    await q.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS u(p, i) ORDER BY i', [channel, payloads]);
  };
  for (const item of items) {
    if (item.inline !== undefined) {
      run.push(item.inline);
      continue;
    }
    await flushRun();
    await q.query(
      `WITH old AS (DELETE FROM thread_event_bodies WHERE created_at < now() - $4 * interval '1 millisecond'),
            b AS (INSERT INTO thread_event_bodies (body) VALUES ($2) RETURNING id)
       SELECT pg_notify($1, ($3::jsonb || jsonb_build_object('r', b.id::text))::text) FROM b`,
      [channel, item.body, JSON.stringify(item.envelope), KEEP_BODIES_MS],
    );
  }
  await flushRun();
}

/** The body of a large event, or undefined when it is gone. */
export async function readBody(q: Query, id: string): Promise<string | undefined> {
  const rows = (await q.query<{ body: string }>('SELECT body FROM thread_event_bodies WHERE id = $1', [id])).rows;
  return rows[0]?.body;
}
