import type { Ticket } from '../../schema.js';
import { checkLimit, instant } from '../../repos/common.js';
import type { TicketChange, TicketHistoryEntry, TicketRepository } from '../../repos/tickets.js';
import type { Row, Session, Sql } from '../db.js';
import { ticketOf } from '../records.js';
import { decodeCursor, encodeCursor, jsonParam, num, pageOf } from '../rows.js';
import { MS, pgTicketMetrics } from './ticket-metrics.js';

/** A ticket with its messages and history in insertion order (one statement: a consistent read). */
const SELECT = `
SELECT t.*,
  (SELECT coalesce(json_agg(json_build_object('id', m.id, 'at', ${MS('m.at')}, 'authorKind', m.author_kind, 'authorId', m.author_id,
            'visibility', m.visibility, 'body', m.body, 'delivery', m.delivery) ORDER BY m.seq), '[]'::json)
     FROM ticket_messages m WHERE m.ticket_id = t.id) AS messages,
  (SELECT coalesce(json_agg(json_build_object('at', ${MS('h.at')}, 'from', h.from_status, 'to', h.to_status, 'byKind', h.by_kind,
            'byId', h.by_id, 'note', h.note) ORDER BY h.seq), '[]'::json)
     FROM ticket_history h WHERE h.ticket_id = t.id) AS history
FROM tickets t`;
const GET = `${SELECT} WHERE t.id = $1`;
const GET_LOCKED = `${GET} FOR NO KEY UPDATE OF t`;
const NEWEST_FIRST = 'ORDER BY t.created_at DESC, t.number DESC';
const LIST = `${SELECT}
WHERE ($1::text IS NULL OR t.customer_id = $1) AND ($2::text IS NULL OR t.status = $2) AND ($3::text IS NULL OR t.priority = $3)
  AND ($4::text IS NULL OR t.category = $4) AND ($5::text IS NULL OR t.channel = $5)
  AND ($6::timestamptz IS NULL OR (t.created_at, t.number) < ($6, $7::bigint))
${NEWEST_FIRST} LIMIT $8`;
const LATEST_FOR_THREAD = `${SELECT} WHERE t.thread_key = $1 ${NEWEST_FIRST} LIMIT 1`;

const INSERT = `
INSERT INTO tickets (customer_id, contact, subject, description, channel, priority, category, sentiment, status, thread_key,
  created_at, updated_at, first_response_at, resolved_at, closed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`;

/** Compare-and-set on status ($9) when asked; absent fields stay; `null` removes resolved / closed. */
const UPDATE = `
UPDATE tickets SET
  status = coalesce($2::text, status),
  updated_at = coalesce($3::timestamptz, updated_at),
  first_response_at = coalesce(first_response_at, $4::timestamptz),
  resolved_at = CASE WHEN $5::boolean THEN NULL ELSE coalesce($6::timestamptz, resolved_at) END,
  closed_at = CASE WHEN $7::boolean THEN NULL ELSE coalesce($8::timestamptz, closed_at) END
WHERE id = $1 AND ($9::text IS NULL OR status = $9)
RETURNING id`;

async function addRows(q: Sql, id: string, messages: Ticket['messages'], history: TicketHistoryEntry[]): Promise<void> {
  for (const m of messages) {
    await q.count('INSERT INTO ticket_messages (id, ticket_id, at, author_kind, author_id, visibility, body, delivery) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [m.id, id, m.at, m.author.kind, m.author.id, m.visibility, m.body, jsonParam(m.delivery)]);
  }
  for (const h of history) {
    await q.count('INSERT INTO ticket_history (ticket_id, at, from_status, to_status, by_kind, by_id, note) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [id, h.at, h.from, h.to, h.by.kind, h.by.id, h.note ?? null]);
  }
}

/** Compare-and-set on a message's delivery status ($4) and, when given, its time ($5, compared as an instant). */
const SET_DELIVERY = `
UPDATE ticket_messages SET delivery = $3::jsonb
WHERE ticket_id = $1 AND id = $2 AND delivery->>'status' = $4 AND ($5::timestamptz IS NULL OR (delivery->>'at')::timestamptz = $5::timestamptz)
RETURNING id`;

const AWAITING_DELIVERY = `
SELECT ticket_id, id FROM ticket_messages
WHERE delivery->>'status' IN ('pending', 'sending') AND (delivery->>'at')::timestamptz < $1
ORDER BY (delivery->>'at')::timestamptz, seq LIMIT $2`;

const changeParams = (id: string, c: TicketChange, expect: string | undefined) => [
  id, c.status ?? null, c.updatedAt ?? null, c.firstResponseAt ?? null, c.resolvedAt === null, c.resolvedAt ?? null,
  c.closedAt === null, c.closedAt ?? null, expect ?? null,
];

export function pgTickets(s: Session): TicketRepository {
  const get = async (q: Sql, id: string, sql = GET) => (await q.rows(sql, [id])).map(ticketOf)[0];

  return {
    create: (t) => s.run('atomic', async (q) => {
      const [row] = await q.rows<Row & { id: string }>(INSERT, [t.customerId, t.contact ?? null, t.subject, t.description, t.channel, t.priority,
        t.category, t.sentiment, t.status, t.threadKey ?? null, t.createdAt, t.updatedAt, t.firstResponseAt ?? null, t.resolvedAt ?? null, t.closedAt ?? null]);
      const id = String(row?.id);
      await addRows(q, id, t.messages, t.history);
      return (await get(q, id)) as Ticket;
    }),

    get: (id) => s.run('read', (q) => get(q, id, s.locking ? GET_LOCKED : GET)),

    list: (f, page) => s.run('read', async (q) => {
      checkLimit(page.limit);
      const from = page.cursor === undefined ? undefined : decodeCursor(page.cursor, ['t', 'n'] as const, ['t'] as const);
      // As the memory engine: an empty status, priority, category or channel does not filter.
      const rows = (await q.rows(LIST, [f.customerId ?? null, f.status || null, f.priority || null, f.category || null, f.channel || null,
        from?.t ?? null, from?.n ?? null, page.limit + 1])).map(ticketOf);
      return pageOf(rows, page.limit, (t) => encodeCursor({ t: t.createdAt, n: t.id.slice(2) }));
    }),

    latestForThread: (threadKey) => s.run('read', async (q) => (await q.rows(LATEST_FOR_THREAD, [threadKey])).map(ticketOf)[0]),

    countCreatedSince: (creator, since) => s.run('read', async (q) => {
      instant(since, 'since');
      // Serialises count-then-create for one creator across instances (released when the transaction ends; outside a
      // transaction, at the end of this statement). The key is a hash: a collision only makes two creators wait.
      const key = 'customerId' in creator ? `ticket-creator:customer:${creator.customerId}` : `ticket-creator:contact:${creator.contact.trim().toLowerCase()}`;
      await q.rows('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
      const [r] = 'customerId' in creator
        ? await q.rows('SELECT count(*) AS n FROM tickets WHERE customer_id = $1 AND created_at >= $2', [creator.customerId, since])
        : await q.rows(`SELECT count(*) AS n FROM tickets WHERE customer_id IS NULL AND contact IS NOT NULL AND contact <> '' AND lower(btrim(contact)) = $1
            AND created_at >= $2`, [creator.contact.trim().toLowerCase(), since]);
      return num(r?.['n']);
    }),

    update: (id, change, expect) => s.run('atomic', async (q) => {
      const hit = await q.rows(UPDATE, changeParams(id, change, expect?.status));
      if (hit.length === 0) return { won: false as const, record: await get(q, id) };
      await addRows(q, id, change.addMessages ?? [], change.addHistory ?? []);
      return { won: true as const, record: (await get(q, id)) as Ticket };
    }),

    setDelivery: (ticketId, messageId, delivery, expect) => s.run('atomic', async (q) => {
      if (expect.at !== undefined) instant(expect.at, 'at');
      const hit = await q.rows(SET_DELIVERY, [ticketId, messageId, jsonParam(delivery), expect.status, expect.at ?? null]);
      const t = await get(q, ticketId);
      if (hit.length > 0) return { won: true as const, record: t as Ticket };
      return { won: false as const, record: t?.messages.some((m) => m.id === messageId) ? t : undefined };
    }),

    awaitingDelivery: (before, limit) => s.run('read', async (q) => {
      checkLimit(limit);
      instant(before, 'before');
      return (await q.rows(AWAITING_DELIVERY, [before, limit])).map((r) => ({ ticketId: String(r['ticket_id']), messageId: String(r['id']) }));
    }),

    ...pgTicketMetrics(s),
  };
}
