/**
 * Table rows → domain records (src/store/schema.ts and the ports' own types). Columns that are NULL become absent
 * fields; timestamps become `toISOString()` strings; bigints become numbers (ids, counters) or strings (UIDVALIDITY).
 */
import type {
  Account, Actor, AddressChange, ApiKey, ApiKeyScope, Approval, AuditEntry, Card, Conversation, Customer, Draft, Note, Processed, QuarantineEntry,
  ResetToken, Ticket, TicketDelivery, Transaction,
} from '../schema.js';
import type { EmailDecision, EmailThread, MailboxState, MessageIdEntry } from '../repos/email.js';
import type { Undeliverable } from '../repos/email-limits.js';
import type { Lease } from '../repos/leases.js';
import type { EmailPayload, OutboxRecord } from '../repos/outbox.js';
import type { Row } from './db.js';
import { clean, iso, num, optIso, optStr, str, strs } from './rows.js';

type R = Row;
const actor = (kind: unknown, id: unknown): Actor => ({ kind: str(kind) as Actor['kind'], id: str(id) });
const optActor = (kind: unknown, id: unknown): Actor | undefined => (kind === null || kind === undefined ? undefined : actor(kind, id));
const staffMessage = (r: R) => (r['staff_message_channel'] === null ? undefined : { channel: str(r['staff_message_channel']), ts: str(r['staff_message_ts']) });
const address = (r: R): Customer['address'] => clean({
  line1: str(r['address_line1']), line2: optStr(r['address_line2']), city: str(r['address_city']), region: optStr(r['address_region']),
  postalCode: str(r['address_postal_code']), country: str(r['address_country']),
});

export const customerOf = (r: R): Customer => clean({
  id: str(r['id']), name: str(r['name']), email: str(r['email']), phone: optStr(r['phone']), address: address(r),
  slackUserId: optStr(r['slack_user_id']), createdAt: iso(r['created_at']), passwordHash: optStr(r['password_hash']),
  passwordChangedAt: optIso(r['password_changed_at']),
});

export const accountOf = (r: R): Account => ({
  id: str(r['id']), customerId: str(r['customer_id']), type: str(r['type']) as Account['type'], currency: str(r['currency']),
  balanceMinor: num(r['balance_minor']), status: str(r['status']) as Account['status'], openedAt: iso(r['opened_at']),
});

export const cardOf = (r: R): Card => clean({
  id: str(r['id']), customerId: str(r['customer_id']), accountId: str(r['account_id']), brand: str(r['brand']) as Card['brand'],
  last4: str(r['last4']), status: str(r['status']) as Card['status'], expMonth: num(r['exp_month']), expYear: num(r['exp_year']),
  deactivatedAt: optIso(r['deactivated_at']),
});

export const transactionOf = (r: R): Transaction => ({
  id: str(r['id']), accountId: str(r['account_id']), postedAt: iso(r['posted_at']), merchant: str(r['merchant']),
  amountMinor: num(r['amount_minor']), currency: str(r['currency']), category: str(r['category']), status: str(r['status']) as Transaction['status'],
});

interface MessageJson { id: string; at: number; authorKind: string; authorId: string; visibility: string; body: string; delivery?: TicketDelivery | null }
interface HistoryJson { at: number; from: string | null; to: string; byKind: string; byId: string; note: string | null }

/** A ticket row with `messages` and `history` aggregated as JSON (times as epoch milliseconds). */
export const ticketOf = (r: R): Ticket => clean({
  id: str(r['id']), customerId: optStr(r['customer_id']) ?? null, contact: optStr(r['contact']), subject: str(r['subject']),
  description: str(r['description']), channel: str(r['channel']) as Ticket['channel'], priority: str(r['priority']) as Ticket['priority'],
  category: str(r['category']) as Ticket['category'], sentiment: num(r['sentiment']), status: str(r['status']) as Ticket['status'],
  threadKey: optStr(r['thread_key']), createdAt: iso(r['created_at']), updatedAt: iso(r['updated_at']),
  firstResponseAt: optIso(r['first_response_at']), resolvedAt: optIso(r['resolved_at']), closedAt: optIso(r['closed_at']),
  messages: (r['messages'] as MessageJson[]).map((m) => ({
    id: m.id, at: iso(m.at), author: actor(m.authorKind, m.authorId), visibility: m.visibility as Ticket['messages'][number]['visibility'], body: m.body,
    ...(m.delivery ? { delivery: clean({ ...m.delivery }) } : {}),
  })),
  history: (r['history'] as HistoryJson[]).map((h) => clean({
    at: iso(h.at), from: h.from as Ticket['status'] | null, to: h.to as Ticket['status'], by: actor(h.byKind, h.byId), note: h.note ?? undefined,
  })),
});

export const noteOf = (r: R): Note => clean({
  id: str(r['id']), customerId: str(r['customer_id']), author: actor(r['author_kind'], r['author_id']), body: str(r['body']),
  ticketId: optStr(r['ticket_id']), createdAt: iso(r['created_at']),
});

export const approvalOf = (r: R): Approval => clean({
  id: str(r['id']), customerId: str(r['customer_id']), action: str(r['action']) as Approval['action'], cardId: optStr(r['card_id']),
  reason: str(r['reason']), threadKey: optStr(r['thread_key']), channel: optStr(r['channel']) as Approval['channel'],
  requester: r['requester_id'] === null ? undefined : clean({ id: str(r['requester_id']), email: optStr(r['requester_email']), verification: optStr(r['requester_verification']) }),
  requestedAt: iso(r['requested_at']), expiresAt: iso(r['expires_at']), status: str(r['status']) as Approval['status'],
  decidedBy: optActor(r['decided_by_kind'], r['decided_by_id']), decidedAt: optIso(r['decided_at']), decisionNote: optStr(r['decision_note']),
  executedAt: optIso(r['executed_at']), outcome: optStr(r['outcome']), staffMessage: staffMessage(r),
});

export const resetTokenOf = (r: R): ResetToken => clean({
  id: str(r['id']), customerId: str(r['customer_id']), approvalId: str(r['approval_id']), email: str(r['email']), tokenHashes: strs(r['token_hashes']),
  createdAt: iso(r['created_at']), expiresAt: iso(r['expires_at']), usedAt: optIso(r['used_at']), attempts: num(r['attempts']),
});

export const addressChangeOf = (r: R): AddressChange => clean({
  id: str(r['id']), customerId: str(r['customer_id']), address: address(r), tokenHashes: strs(r['token_hashes']), requestedAt: iso(r['requested_at']),
  expiresAt: iso(r['expires_at']), status: str(r['status']) as AddressChange['status'], channel: optStr(r['channel']) as AddressChange['channel'],
  threadKey: optStr(r['thread_key']), confirmedAt: optIso(r['confirmed_at']), confirmedVia: optStr(r['confirmed_via']) as AddressChange['confirmedVia'],
  supersededAt: optIso(r['superseded_at']),
});

export const draftOf = (r: R): Draft => clean({
  id: str(r['id']), kind: str(r['kind']) as Draft['kind'], input: r['input'] as Record<string, unknown>, summary: str(r['summary']),
  staffId: str(r['staff_id']), threadKey: optStr(r['thread_key']), createdAt: iso(r['created_at']), expiresAt: iso(r['expires_at']),
  status: str(r['status']) as Draft['status'], decidedBy: optActor(r['decided_by_kind'], r['decided_by_id']), decidedAt: optIso(r['decided_at']),
  outcome: optStr(r['outcome']), staffMessage: staffMessage(r),
});

export const auditOf = (r: R): AuditEntry => clean({
  id: str(r['id']), at: iso(r['at']), actor: actor(r['actor_kind'], r['actor_id']), action: str(r['action']), target: str(r['target']),
  details: (r['details'] ?? undefined) as Record<string, unknown> | undefined,
});

export const quarantineOf = (r: R): QuarantineEntry => clean({
  id: str(r['id']), at: iso(r['at']), channel: str(r['channel']) as QuarantineEntry['channel'], ref: str(r['ref']), reason: str(r['reason']),
  details: (r['details'] ?? undefined) as Record<string, unknown> | undefined,
});

export const conversationOf = (r: R): Conversation => clean({
  threadKey: str(r['thread_key']), channel: str(r['channel']) as Conversation['channel'], callerKind: str(r['caller_kind']) as Conversation['callerKind'],
  customerId: optStr(r['customer_id']), createdAt: iso(r['created_at']), updatedAt: iso(r['updated_at']), messages: r['messages'] as unknown[],
  summary: optStr(r['summary']),
  usage: {
    inputTokens: num(r['input_tokens']), outputTokens: num(r['output_tokens']), cacheReadTokens: num(r['cache_read_tokens']),
    cacheCreationTokens: num(r['cache_creation_tokens']),
  },
  meta: r['meta'] as Record<string, unknown>,
});

export const processedOf = (r: R): Processed => clean({
  id: str(r['id']), threadKey: str(r['thread_key']), channel: str(r['channel']) as Processed['channel'], receivedAt: iso(r['received_at']),
  status: str(r['status']) as Processed['status'], reason: optStr(r['reason']), updatedAt: iso(r['updated_at']),
  message: (r['message'] ?? undefined) as Record<string, unknown> | undefined,
});

/** The promoted columns (source, reply kind, Message-ID) go back into the payload. */
export const outboxOf = (r: R): OutboxRecord => clean({
  id: str(r['id']), threadKey: str(r['thread_key']),
  payload: clean({ ...(r['payload'] as EmailPayload), sourceId: optStr(r['source_id']), replyKind: optStr(r['reply_kind']), messageId: optStr(r['message_id']) }),
  status: str(r['status']) as OutboxRecord['status'], attempts: num(r['attempts']), nextAttemptAt: iso(r['next_attempt_at']),
  lastError: optStr(r['last_error']), createdAt: iso(r['created_at']), sentAt: optIso(r['sent_at']), claimedBy: optStr(r['locked_by']),
  claimedUntil: optIso(r['locked_until']),
});

export const mailboxOf = (r: R): MailboxState => clean({
  mailbox: str(r['mailbox']), uidValidity: str(r['uid_validity']), lastUid: num(r['last_uid']),
  previousUidValidity: optStr(r['previous_uid_validity']), updatedAt: iso(r['updated_at']),
});

export const decisionOf = (r: R): EmailDecision => clean({
  messageId: str(r['message_id']), decision: str(r['decision']) as EmailDecision['decision'], reason: str(r['reason']), uid: num(r['uid']),
  uidValidity: str(r['uid_validity']), from: optStr(r['from_address']), threadKey: optStr(r['thread_key']), at: iso(r['at']),
});

export const emailThreadOf = (r: R): EmailThread => ({
  threadKey: str(r['thread_key']), customerEmail: str(r['customer_email']), subject: str(r['subject']), lastInboundId: str(r['last_inbound_id']),
  references: (r['reference_ids'] as string[]).map(String), createdAt: iso(r['created_at']), updatedAt: iso(r['updated_at']),
});

export const messageIdOf = (r: R): MessageIdEntry => ({
  messageId: str(r['message_id']), threadKey: str(r['thread_key']), dir: str(r['direction']) as MessageIdEntry['dir'], at: iso(r['recorded_at']),
});

export const undeliverableOf = (r: R): Undeliverable => ({ address: str(r['address']), until: iso(r['blocked_until']), reason: str(r['reason']) });

export const leaseOf = (r: R): Lease => ({ name: str(r['name']), holder: str(r['holder']), until: iso(r['expires_at']), fence: num(r['fence']) });

export const apiKeyOf = (r: R): ApiKey => clean({
  id: str(r['id']), name: str(r['name']), scopes: (r['scopes'] as unknown[]).map((x) => str(x) as ApiKeyScope), secretHash: str(r['secret_hash']),
  createdAt: iso(r['created_at']), revokedAt: optIso(r['revoked_at']),
});
