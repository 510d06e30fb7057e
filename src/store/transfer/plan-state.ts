/**
 * The runtime collections (audit, conversations, inbound ledger, email state and limits, outbox, quarantine, Slack
 * state, leases) as PostgreSQL rows, written as the PostgreSQL repositories write them.
 */
import type { Lease } from '../repos/leases.js';
import { jsonParam } from '../postgres/rows.js';
import type { RecordCollection } from './plan-records.js';
import { type Plans, keep, opt, replace, upsert } from './table-load.js';
import type { TableName } from '../json/document.js';

export type StateCollection = Exclude<TableName, RecordCollection>;

const CONVERSATION = ['thread_key', 'channel', 'caller_kind', 'customer_id', 'created_at', 'updated_at', 'summary', 'input_tokens',
  'output_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'meta', 'messages', 'message_count', 'messages_chars'];
const LEDGER = ['id', 'thread_key', 'channel', 'received_at', 'status', 'reason', 'updated_at', 'message'];
const DECISION = ['message_id', 'decision', 'reason', 'uid', 'uid_validity', 'from_address', 'thread_key', 'at'];
const THREAD = ['thread_key', 'customer_email', 'subject', 'last_inbound_id', 'reference_ids', 'created_at', 'updated_at'];
const OUTBOX = ['id', 'channel', 'thread_key', 'source_id', 'reply_kind', 'message_id', 'payload', 'status', 'attempts', 'next_attempt_at',
  'last_error', 'created_at', 'sent_at', 'locked_by', 'locked_until'];

/** A finished ledger entry keeps no message (the repositories drop it, and the table refuses one). */
const unfinished = (status: string) => status === 'received' || status === 'queued';

/**
 * A lease's start is not kept by the JSON engine: it is taken as now, or just before its end when that has passed
 * (the table wants it before the end). Holder, end and fence carry over, so fences keep increasing.
 */
function acquiredAt(l: Lease): string {
  const until = Date.parse(l.until);
  return Number.isFinite(until) ? new Date(Math.min(Date.now(), until - 1)).toISOString() : l.until;
}

export const STATE_PLANS: Plans<StateCollection> = {
  /** Append-only: the table's trigger forbids rewriting an entry, and the JSON engine never rewrites one either. */
  audit: (rows) => [keep('audit', 'audit_log', 'id', ['id', 'at', 'actor_kind', 'actor_id', 'action', 'target', 'details'],
    rows.map((e) => [e.id, e.at, e.actor.kind, e.actor.id, e.action, e.target, jsonParam(e.details)]))],

  conversations: (rows) => [upsert('conversations', 'conversations', 'thread_key', CONVERSATION, rows.map((c) => {
    const text = JSON.stringify(c.messages);
    return [c.threadKey, c.channel, c.callerKind, opt(c.customerId), c.createdAt, c.updatedAt, opt(c.summary), c.usage.inputTokens,
      c.usage.outputTokens, c.usage.cacheReadTokens, c.usage.cacheCreationTokens, jsonParam(c.meta), text, c.messages.length, text.length];
  }))],

  ledger: (rows) => [upsert('ledger', 'inbound_ledger', 'id', LEDGER, rows.map((p) => [p.id, p.threadKey, p.channel, p.receivedAt, p.status,
    opt(p.reason), p.updatedAt, unfinished(p.status) ? jsonParam(p.message) : null]))],

  mailboxes: (rows) => [upsert('mailboxes', 'email_mailboxes', 'mailbox', ['mailbox', 'uid_validity', 'last_uid', 'previous_uid_validity', 'updated_at'],
    rows.map((m) => [m.mailbox, m.uidValidity, m.lastUid, opt(m.previousUidValidity), m.updatedAt]))],

  decisions: (rows) => [upsert('decisions', 'email_ledger', 'message_id', DECISION, rows.map((d) => [d.messageId, d.decision, d.reason, d.uid,
    d.uidValidity, opt(d.from), opt(d.threadKey), d.at]))],

  emailThreads: (rows) => [upsert('emailThreads', 'email_threads', 'thread_key', THREAD, rows.map((t) => [t.threadKey, t.customerEmail,
    t.subject, t.lastInboundId, [...t.references], t.createdAt, t.updatedAt]))],

  messageIds: (rows) => [upsert('messageIds', 'email_message_ids', 'message_id', ['message_id', 'thread_key', 'direction', 'recorded_at'],
    rows.map((m) => [m.messageId, m.threadKey, m.dir, m.at]))],

  undeliverable: (rows) => [upsert('undeliverable', 'email_undeliverable', 'address', ['address', 'blocked_until', 'reason'],
    rows.map((u) => [u.address, u.until, u.reason]))],

  /** One row per reply sent, in the order of the key's list; a key's replies are replaced whole. */
  budget: (rows) => [replace('budget', 'email_reply_budget', { column: 'key', keys: rows.map((b) => b.key) }, ['key', 'sent_at'],
    rows.flatMap((b) => b.times.map((t) => [b.key, t])))],

  budgetAlerts: (rows) => [upsert('budgetAlerts', 'email_budget_alerts', 'key', ['key', 'alerted_until'], rows.map((a) => [a.key, a.until]))],

  /** Source, reply kind and Message-ID are columns; the rest of the payload is JSON (as `outbox.enqueue` stores it). */
  outbox: (rows) => [upsert('outbox', 'outbox', 'id', OUTBOX, rows.map((o) => {
    const { sourceId, replyKind, messageId, ...rest } = o.payload;
    return [o.id, 'email', o.threadKey, opt(sourceId), opt(replyKind), opt(messageId), jsonParam(rest), o.status, o.attempts, o.nextAttemptAt,
      opt(o.lastError), o.createdAt, opt(o.sentAt), opt(o.claimedBy), opt(o.claimedUntil)];
  }))],

  quarantine: (rows) => [upsert('quarantine', 'quarantine', 'id', ['id', 'at', 'channel', 'ref', 'reason', 'details'],
    rows.map((q) => [q.id, q.at, q.channel, q.ref, q.reason, jsonParam(q.details)]))],

  slackThreads: (rows) => [upsert('slackThreads', 'slack_threads', 'thread_ref', ['thread_ref', 'joined_at'], rows.map((s) => [s.threadRef, s.at]))],

  slackPosted: (rows) => [upsert('slackPosted', 'slack_posted', 'chunk_key', ['chunk_key', 'ts', 'posted_at'],
    rows.map((s) => [s.chunkKey, s.ts, s.at]))],

  leases: (rows) => [upsert('leases', 'leases', 'name', ['name', 'holder', 'acquired_at', 'expires_at', 'fence'],
    rows.map((l) => [l.name, l.holder, acquiredAt(l), l.until, l.fence]))],
};
