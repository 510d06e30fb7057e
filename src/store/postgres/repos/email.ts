import { AppError } from '../../../errors.js';
import { checkLimit, instant } from '../../repos/common.js';
import type { EmailStateRepository } from '../../repos/email.js';
import type { Session, Sql } from '../db.js';
import { decisionOf, emailThreadOf, mailboxOf, messageIdOf } from '../records.js';
import { decodeCursor, encodeCursor, inOrderOf, iso, pageOf, str } from '../rows.js';

const MAILBOX = 'SELECT * FROM email_mailboxes WHERE mailbox = $1';
const DECISION = 'SELECT * FROM email_ledger WHERE message_id = $1';
const THREAD = 'SELECT * FROM email_threads WHERE thread_key = $1';
const MAILBOX_LOCKED = `${MAILBOX} FOR NO KEY UPDATE`;
const DECISION_LOCKED = `${DECISION} FOR NO KEY UPDATE`;
const THREAD_LOCKED = `${THREAD} FOR NO KEY UPDATE`;

/** Forward only: a first position, or a higher UID within the same UIDVALIDITY. */
const ADVANCE = `
INSERT INTO email_mailboxes AS m (mailbox, uid_validity, last_uid, updated_at) VALUES ($1, $2::bigint, $3, $4)
ON CONFLICT (mailbox) DO UPDATE SET last_uid = EXCLUDED.last_uid, updated_at = EXCLUDED.updated_at
WHERE m.uid_validity = EXCLUDED.uid_validity AND m.last_uid < EXCLUDED.last_uid`;

const RESET = `
INSERT INTO email_mailboxes AS m (mailbox, uid_validity, last_uid, updated_at) VALUES ($1, $2::bigint, $3, $4)
ON CONFLICT (mailbox) DO UPDATE SET uid_validity = EXCLUDED.uid_validity, last_uid = EXCLUDED.last_uid, updated_at = EXCLUDED.updated_at,
  previous_uid_validity = CASE WHEN m.uid_validity <> EXCLUDED.uid_validity THEN m.uid_validity ELSE m.previous_uid_validity END
RETURNING *`;

const RECORD_DECISION = `
INSERT INTO email_ledger AS d (message_id, decision, reason, uid, uid_validity, from_address, thread_key, at) VALUES ($1, $2, $3, $4, $5::bigint, $6, $7, $8)
ON CONFLICT (message_id) DO UPDATE SET decision = EXCLUDED.decision, reason = EXCLUDED.reason, uid = EXCLUDED.uid, uid_validity = EXCLUDED.uid_validity,
  from_address = EXCLUDED.from_address, thread_key = EXCLUDED.thread_key, at = EXCLUDED.at`;

const PUT_THREAD = `
INSERT INTO email_threads AS t (thread_key, customer_email, subject, last_inbound_id, reference_ids, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5::text[], $6, $7)
ON CONFLICT (thread_key) DO UPDATE SET customer_email = EXCLUDED.customer_email, subject = EXCLUDED.subject, last_inbound_id = EXCLUDED.last_inbound_id,
  reference_ids = EXCLUDED.reference_ids, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at`;

const INDEX_ID = `
INSERT INTO email_message_ids AS i (message_id, thread_key, direction, recorded_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (message_id) DO UPDATE SET thread_key = EXCLUDED.thread_key, direction = EXCLUDED.direction, recorded_at = EXCLUDED.recorded_at`;

/** Retention statements: delete at most $2 rows past $1 (rows another pruner holds are skipped). */
const PRUNE = {
  decisions: `DELETE FROM email_ledger WHERE message_id IN (
    SELECT message_id FROM email_ledger WHERE decision <> 'pending' AND at < $1 ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
  threads: `DELETE FROM email_threads WHERE thread_key IN (
    SELECT thread_key FROM email_threads WHERE updated_at < $1 ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
  messageIds: `DELETE FROM email_message_ids WHERE message_id IN (
    SELECT message_id FROM email_message_ids WHERE recorded_at < $1 ORDER BY recorded_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
};

export function pgEmailState(s: Session): EmailStateRepository {
  const prune = (sql: string, before: string, limit: number) => s.run('write', (q: Sql) => {
    checkLimit(limit);
    instant(before, 'before');
    return q.count(sql, [before, limit]);
  });

  return {
    mailbox: (name) => s.run('read', async (q) => (await q.rows(s.locking ? MAILBOX_LOCKED : MAILBOX, [name])).map(mailboxOf)[0]),

    advanceMailbox: (name, p) => s.run('write', async (q) => (await q.count(ADVANCE, [name, p.uidValidity, p.lastUid, p.at])) > 0),

    resetMailbox: (name, p) => s.run('write', async (q) => {
      const [r] = await q.rows(RESET, [name, p.uidValidity, p.lastUid, p.at]);
      return mailboxOf(r as Record<string, unknown>);
    }),

    decision: (messageId) => s.run('read', async (q) => (await q.rows(s.locking ? DECISION_LOCKED : DECISION, [messageId])).map(decisionOf)[0]),

    recordDecision: (d) => s.run('write', async (q) => {
      await q.count(RECORD_DECISION, [d.messageId, d.decision, d.reason, d.uid, d.uidValidity, d.from ?? null, d.threadKey ?? null, d.at]);
    }),

    recentDecisions: (limit, cursor) => s.run('read', async (q) => {
      checkLimit(limit);
      const from = cursor === undefined ? undefined : decodeCursor(cursor, ['t', 's'] as const, ['t'] as const);
      const rows = await q.rows(`SELECT * FROM email_ledger WHERE ($1::timestamptz IS NULL OR (at, seq) < ($1, $2::bigint))
        ORDER BY at DESC, seq DESC LIMIT $3`, [from?.t ?? null, from?.s ?? null, limit + 1]);
      const page = pageOf(rows, limit, (r) => encodeCursor({ t: iso(r['at']), s: str(r['seq']) }));
      return { ...page, items: page.items.map(decisionOf) };
    }),

    pruneDecisions: (before, limit) => prune(PRUNE.decisions, before, limit),

    thread: (threadKey) => s.run('read', async (q) => (await q.rows(s.locking ? THREAD_LOCKED : THREAD, [threadKey])).map(emailThreadOf)[0]),

    putThread: (t) => s.run('write', async (q) => {
      await q.count(PUT_THREAD, [t.threadKey, t.customerEmail, t.subject, t.lastInboundId, [...t.references], t.createdAt, t.updatedAt]);
    }),

    pruneThreads: (before, limit) => prune(PRUNE.threads, before, limit),

    indexMessageId: (e) => s.run('write', async (q) => {
      if (!e.messageId) throw new AppError('bad_input', 'An empty Message-ID cannot be indexed.');
      await q.count(INDEX_ID, [e.messageId, e.threadKey, e.dir, e.at]);
    }),

    lookupMessageIds: (ids) => s.run('read', async (q) => {
      if (ids.length > 100) throw new AppError('bad_input', 'At most 100 Message-IDs at once.');
      if (ids.length === 0) return [];
      const rows = await q.rows('SELECT * FROM email_message_ids WHERE message_id = ANY($1::text[])', [ids]);
      return inOrderOf(ids, rows.map(messageIdOf), (e) => e.messageId);
    }),

    pruneMessageIds: (before, limit) => prune(PRUNE.messageIds, before, limit),
  };
}
