/**
 * Every product table as the JSON engine's collections, read with the PostgreSQL engine's own row mappers
 * (records.ts). Rows come in insertion order where the table keeps one (`seq`, `arrival`, the ticket number), else
 * by time and key, so the document is the same for the same data.
 */
import type pg from 'pg';
import { DOCUMENT_VERSION, type RowOf, type StoreDocument, type TableName, TABLE_NAMES } from '../json/document.js';
import type { Row } from '../postgres/db.js';
import {
  accountOf, addressChangeOf, apiKeyOf, approvalOf, auditOf, cardOf, conversationOf, customerOf, decisionOf, draftOf, emailThreadOf, leaseOf, mailboxOf,
  messageIdOf, noteOf, outboxOf, processedOf, quarantineOf, resetTokenOf, ticketOf, transactionOf, undeliverableOf,
} from '../postgres/records.js';
import { MS } from '../postgres/repos/ticket-metrics.js';
import { iso, num, str } from '../postgres/rows.js';
import { query } from './connection.js';

type Reader<K extends TableName> = { sql: string; row: (r: Row) => RowOf<K> };

/** A ticket with its messages and history as the tickets repository reads it (times as epoch milliseconds). */
const TICKETS = `
SELECT t.*,
  (SELECT coalesce(json_agg(json_build_object('id', m.id, 'at', ${MS('m.at')}, 'authorKind', m.author_kind, 'authorId', m.author_id,
            'visibility', m.visibility, 'body', m.body, 'delivery', m.delivery) ORDER BY m.seq), '[]'::json)
     FROM ticket_messages m WHERE m.ticket_id = t.id) AS messages,
  (SELECT coalesce(json_agg(json_build_object('at', ${MS('h.at')}, 'from', h.from_status, 'to', h.to_status, 'byKind', h.by_kind,
            'byId', h.by_id, 'note', h.note) ORDER BY h.seq), '[]'::json)
     FROM ticket_history h WHERE h.ticket_id = t.id) AS history
FROM tickets t ORDER BY t.number, t.id COLLATE "C"`;

const READERS: { [K in TableName]: Reader<K> } = {
  customers: { sql: 'SELECT * FROM customers ORDER BY created_at, id COLLATE "C"', row: customerOf },
  accounts: { sql: 'SELECT * FROM accounts ORDER BY opened_at, id COLLATE "C"', row: accountOf },
  cards: { sql: 'SELECT * FROM cards ORDER BY seq', row: cardOf },
  transactions: { sql: 'SELECT * FROM transactions ORDER BY posted_at, id COLLATE "C"', row: transactionOf },
  tickets: { sql: TICKETS, row: ticketOf },
  notes: { sql: 'SELECT * FROM notes ORDER BY seq', row: noteOf },
  approvals: { sql: 'SELECT * FROM approvals ORDER BY seq', row: approvalOf },
  resetTokens: { sql: 'SELECT * FROM reset_tokens ORDER BY created_at, id COLLATE "C"', row: resetTokenOf },
  addressChanges: { sql: 'SELECT * FROM address_changes ORDER BY seq', row: addressChangeOf },
  drafts: { sql: 'SELECT * FROM drafts ORDER BY created_at, id COLLATE "C"', row: draftOf },
  audit: { sql: 'SELECT * FROM audit_log ORDER BY seq', row: auditOf },
  conversations: { sql: 'SELECT * FROM conversations ORDER BY created_at, thread_key COLLATE "C"', row: conversationOf },
  ledger: { sql: 'SELECT * FROM inbound_ledger ORDER BY arrival', row: processedOf },
  mailboxes: { sql: 'SELECT * FROM email_mailboxes ORDER BY mailbox COLLATE "C"', row: mailboxOf },
  decisions: { sql: 'SELECT * FROM email_ledger ORDER BY seq', row: decisionOf },
  emailThreads: { sql: 'SELECT * FROM email_threads ORDER BY created_at, thread_key COLLATE "C"', row: emailThreadOf },
  messageIds: { sql: 'SELECT * FROM email_message_ids ORDER BY recorded_at, message_id COLLATE "C"', row: messageIdOf },
  undeliverable: { sql: 'SELECT * FROM email_undeliverable ORDER BY address COLLATE "C"', row: undeliverableOf },
  budget: {
    sql: 'SELECT key, array_agg(sent_at ORDER BY id) AS times FROM email_reply_budget GROUP BY key ORDER BY min(id)',
    row: (r) => ({ key: str(r['key']), times: (r['times'] as unknown[]).map(iso) }),
  },
  budgetAlerts: { sql: 'SELECT * FROM email_budget_alerts ORDER BY key COLLATE "C"', row: (r) => ({ key: str(r['key']), until: iso(r['alerted_until']) }) },
  outbox: { sql: 'SELECT * FROM outbox ORDER BY seq', row: outboxOf },
  quarantine: { sql: 'SELECT * FROM quarantine ORDER BY seq', row: quarantineOf },
  slackThreads: { sql: 'SELECT * FROM slack_threads ORDER BY joined_at, thread_ref COLLATE "C"', row: (r) => ({ threadRef: str(r['thread_ref']), at: iso(r['joined_at']) }) },
  slackPosted: {
    sql: 'SELECT * FROM slack_posted ORDER BY posted_at, chunk_key COLLATE "C"',
    row: (r) => ({ chunkKey: str(r['chunk_key']), ts: str(r['ts']), at: iso(r['posted_at']) }),
  },
  leases: { sql: 'SELECT * FROM leases ORDER BY name COLLATE "C"', row: leaseOf },
  apiKeys: { sql: 'SELECT * FROM api_keys ORDER BY seq', row: apiKeyOf },
};

/** The next ticket number the sequence hands out (never below one past the highest stored ticket). */
const NEXT_TICKET = `
SELECT greatest(CASE WHEN s.is_called THEN s.last_value + 1 ELSE s.last_value END, coalesce((SELECT max(number) FROM tickets), 0) + 1) AS next
FROM ticket_number_seq s`;

export async function nextTicketNumber(client: pg.ClientBase): Promise<number> {
  const [r] = await query(client, NEXT_TICKET);
  return num(r?.['next']);
}

/** The whole database as a current-format document (`journalSeq` 0: it has no journal). Run it in one snapshot. */
export async function readDocument(client: pg.ClientBase): Promise<StoreDocument> {
  const doc: Record<string, unknown> = { version: DOCUMENT_VERSION, journalSeq: 0, ticketSeq: await nextTicketNumber(client) };
  for (const name of TABLE_NAMES) {
    const reader = READERS[name] as Reader<TableName>;
    doc[name] = (await query(client, reader.sql)).map(reader.row);
  }
  return doc as StoreDocument;
}
