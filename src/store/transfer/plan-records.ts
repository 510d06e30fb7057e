/**
 * The business collections as PostgreSQL rows: the same columns and values the PostgreSQL repositories write
 * (src/store/postgres/repos), in the JSON collection's order so identity columns (`seq`) keep insertion order.
 */
import type { Actor, Address } from '../schema.js';
import { jsonParam } from '../postgres/rows.js';
import { type Plans, opt, replace, upsert } from './table-load.js';

export type RecordCollection = 'customers' | 'accounts' | 'cards' | 'transactions' | 'tickets' | 'notes' | 'approvals' | 'resetTokens'
  | 'addressChanges' | 'drafts' | 'apiKeys';

const ADDRESS = ['address_line1', 'address_line2', 'address_city', 'address_region', 'address_postal_code', 'address_country'];
const address = (a: Address) => [a.line1, opt(a.line2), a.city, opt(a.region), a.postalCode, a.country];
const actor = (a: Actor | undefined) => [opt(a?.kind), opt(a?.id)];

const CUSTOMER = ['id', 'name', 'email', 'phone', ...ADDRESS, 'slack_user_id', 'password_hash', 'password_changed_at', 'created_at'];
const ACCOUNT = ['id', 'customer_id', 'type', 'currency', 'balance_minor', 'status', 'opened_at'];
const CARD = ['id', 'customer_id', 'account_id', 'brand', 'last4', 'status', 'exp_month', 'exp_year', 'deactivated_at'];
const TRANSACTION = ['id', 'account_id', 'posted_at', 'merchant', 'amount_minor', 'currency', 'category', 'status'];
const TICKET = ['id', 'customer_id', 'contact', 'subject', 'description', 'channel', 'priority', 'category', 'sentiment', 'status', 'thread_key',
  'created_at', 'updated_at', 'first_response_at', 'resolved_at', 'closed_at'];
const MESSAGE = ['id', 'ticket_id', 'at', 'author_kind', 'author_id', 'visibility', 'body', 'delivery'];
const HISTORY = ['ticket_id', 'at', 'from_status', 'to_status', 'by_kind', 'by_id', 'note'];
const NOTE = ['id', 'customer_id', 'author_kind', 'author_id', 'body', 'ticket_id', 'created_at'];
const APPROVAL = ['id', 'customer_id', 'action', 'card_id', 'reason', 'thread_key', 'channel', 'requester_id', 'requester_email',
  'requester_verification', 'requested_at', 'expires_at', 'status', 'decided_by_kind', 'decided_by_id', 'decided_at', 'decision_note',
  'executed_at', 'outcome', 'staff_message_channel', 'staff_message_ts'];
const RESET_TOKEN = ['id', 'customer_id', 'approval_id', 'email', 'token_hashes', 'created_at', 'expires_at', 'used_at', 'attempts'];
const ADDRESS_CHANGE = ['id', 'customer_id', ...ADDRESS, 'token_hashes', 'requested_at', 'expires_at', 'status', 'channel', 'thread_key',
  'confirmed_at', 'confirmed_via', 'superseded_at'];
const API_KEY = ['id', 'name', 'scopes', 'secret_hash', 'created_at', 'revoked_at'];
const DRAFT = ['id', 'kind', 'input', 'summary', 'staff_id', 'thread_key', 'created_at', 'expires_at', 'status', 'decided_by_kind',
  'decided_by_id', 'decided_at', 'outcome', 'staff_message_channel', 'staff_message_ts'];

export const RECORD_PLANS: Plans<RecordCollection> = {
  customers: (rows) => [upsert('customers', 'customers', 'id', CUSTOMER, rows.map((c) => [c.id, c.name, c.email, opt(c.phone),
    ...address(c.address), opt(c.slackUserId), opt(c.passwordHash), opt(c.passwordChangedAt), c.createdAt]))],

  accounts: (rows) => [upsert('accounts', 'accounts', 'id', ACCOUNT, rows.map((a) => [a.id, a.customerId, a.type, a.currency, a.balanceMinor,
    a.status, a.openedAt]))],

  cards: (rows) => [upsert('cards', 'cards', 'id', CARD, rows.map((c) => [c.id, c.customerId, c.accountId, c.brand, c.last4, c.status,
    c.expMonth, c.expYear, opt(c.deactivatedAt)]))],

  transactions: (rows) => [upsert('transactions', 'transactions', 'id', TRANSACTION, rows.map((t) => [t.id, t.accountId, t.postedAt,
    t.merchant, t.amountMinor, t.currency, t.category, t.status]))],

  /** A ticket is one aggregate: its messages and history are replaced whole (history rows have no key of their own). */
  tickets: (rows) => {
    const ids = { column: 'ticket_id', keys: rows.map((t) => t.id) };
    return [
      upsert('tickets', 'tickets', 'id', TICKET, rows.map((t) => [t.id, t.customerId, opt(t.contact), t.subject, t.description, t.channel,
        t.priority, t.category, t.sentiment, t.status, opt(t.threadKey), t.createdAt, t.updatedAt, opt(t.firstResponseAt), opt(t.resolvedAt),
        opt(t.closedAt)])),
      replace('tickets', 'ticket_messages', ids, MESSAGE, rows.flatMap((t) => t.messages.map((m) => [m.id, t.id, m.at, ...actor(m.author),
        m.visibility, m.body, m.delivery ? jsonParam(m.delivery) : null]))),
      replace('tickets', 'ticket_history', ids, HISTORY, rows.flatMap((t) => t.history.map((h) => [t.id, h.at, h.from, h.to, ...actor(h.by),
        opt(h.note)]))),
    ];
  },

  notes: (rows) => [upsert('notes', 'notes', 'id', NOTE, rows.map((n) => [n.id, n.customerId, ...actor(n.author), n.body, opt(n.ticketId),
    n.createdAt]))],

  approvals: (rows) => [upsert('approvals', 'approvals', 'id', APPROVAL, rows.map((a) => [a.id, a.customerId, a.action, opt(a.cardId),
    a.reason, opt(a.threadKey), opt(a.channel), opt(a.requester?.id), opt(a.requester?.email), opt(a.requester?.verification), a.requestedAt,
    a.expiresAt, a.status, ...actor(a.decidedBy), opt(a.decidedAt), opt(a.decisionNote), opt(a.executedAt), opt(a.outcome),
    opt(a.staffMessage?.channel), opt(a.staffMessage?.ts)]))],

  resetTokens: (rows) => [upsert('resetTokens', 'reset_tokens', 'id', RESET_TOKEN, rows.map((t) => [t.id, t.customerId, t.approvalId, t.email,
    t.tokenHashes, t.createdAt, t.expiresAt, opt(t.usedAt), t.attempts]))],

  addressChanges: (rows) => [upsert('addressChanges', 'address_changes', 'id', ADDRESS_CHANGE, rows.map((c) => [c.id, c.customerId,
    ...address(c.address), c.tokenHashes, c.requestedAt, c.expiresAt, c.status, opt(c.channel), opt(c.threadKey), opt(c.confirmedAt),
    opt(c.confirmedVia), opt(c.supersededAt)]))],

  /** Replaced, not updated: the drafts trigger allows only one step of pending → sending → sent at a time. */
  drafts: (rows) => [replace('drafts', 'drafts', { column: 'id', keys: rows.map((d) => d.id) }, DRAFT, rows.map((d) => [d.id, d.kind,
    jsonParam(d.input), d.summary, d.staffId, opt(d.threadKey), d.createdAt, d.expiresAt, d.status, ...actor(d.decidedBy), opt(d.decidedAt),
    opt(d.outcome), opt(d.staffMessage?.channel), opt(d.staffMessage?.ts)]))],

  apiKeys: (rows) => [upsert('apiKeys', 'api_keys', 'id', API_KEY, rows.map((k) => [k.id, k.name, k.scopes, k.secretHash, k.createdAt,
    opt(k.revokedAt)]))],
};
