import { z } from 'zod';

/** ISO-8601 timestamp string. */
const ts = z.string().min(10).max(40);
const id = z.string().min(1).max(100);

export const addressSchema = z.strictObject({
  line1: z.string().min(1).max(200),
  line2: z.string().max(200).optional(),
  city: z.string().min(1).max(100),
  region: z.string().max(100).optional(),
  postalCode: z.string().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 code'),
});

export const customerSchema = z.strictObject({
  id,
  name: z.string().min(1).max(200),
  email: z.string().email().max(254),
  phone: z.string().max(40).optional(),
  address: addressSchema,
  slackUserId: z.string().max(40).optional(),
  createdAt: ts,
  /** scrypt hash `scrypt$N$r$p$salt$hash` (base64); never the password itself. */
  passwordHash: z.string().max(500).optional(),
  passwordChangedAt: ts.optional(),
});

export const accountSchema = z.strictObject({
  id,
  customerId: id,
  type: z.enum(['checking', 'savings', 'credit']),
  currency: z.string().regex(/^[A-Z]{3}$/),
  /** Integer minor units (cents). */
  balanceMinor: z.number().int(),
  status: z.enum(['open', 'frozen', 'closed']),
  openedAt: ts,
});

export const cardStatusSchema = z.enum(['active', 'frozen', 'deactivated']);
export const cardSchema = z.strictObject({
  id,
  customerId: id,
  accountId: id,
  brand: z.enum(['visa', 'mastercard', 'amex']),
  last4: z.string().regex(/^\d{4}$/),
  /** `frozen`: paused by the customer (instant, reversible through staff approval); no payments go through. */
  status: cardStatusSchema,
  expMonth: z.number().int().min(1).max(12),
  expYear: z.number().int().min(2000).max(2100),
  deactivatedAt: ts.optional(),
});

export const transactionSchema = z.strictObject({
  id,
  accountId: id,
  postedAt: ts,
  merchant: z.string().min(1).max(200),
  /** Integer minor units; negative = money out. */
  amountMinor: z.number().int(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  category: z.string().min(1).max(50),
  status: z.enum(['posted', 'pending']),
});

export const actorSchema = z.strictObject({
  kind: z.enum(['customer', 'staff', 'system', 'anonymous']),
  id: z.string().max(254),
});

export const ticketStatusSchema = z.enum(['open', 'in_progress', 'resolved', 'closed']);
export const ticketPrioritySchema = z.enum(['low', 'normal', 'high', 'urgent']);
export const ticketCategorySchema = z.enum(['billing', 'card', 'account_access', 'fraud', 'address', 'technical', 'general']);
export const channelSchema = z.enum(['slack', 'email', 'terminal', 'web', 'phone']);

/**
 * Whether a public staff reply reached the customer: `pending` (stored, not yet handed to a channel), `sending` (claimed
 * by one delivery, compare-and-set), `delivered` (posted into their Slack thread or terminal), `queued` (an email in
 * the outbox, which sends it with retries), `failed` (the channel refused it), `undeliverable` (no channel reaches
 * the customer). Internal notes and customers' own messages have none.
 */
export const ticketDeliveryStatusSchema = z.enum(['pending', 'sending', 'delivered', 'queued', 'failed', 'undeliverable']);
export const ticketDeliverySchema = z.strictObject({
  status: ticketDeliveryStatusSchema,
  at: ts,
  channel: channelSchema.optional(),
  threadKey: z.string().max(500).optional(),
  /** The address an email went to (masked), when it went to an address rather than a thread. */
  to: z.string().max(254).optional(),
  reason: z.string().max(500).optional(),
});

export const ticketMessageSchema = z.strictObject({
  id,
  at: ts,
  author: actorSchema,
  visibility: z.enum(['public', 'internal']),
  body: z.string().max(20_000),
  delivery: ticketDeliverySchema.optional(),
});

export const ticketSchema = z.strictObject({
  id: z.string().regex(/^T-\d+$/),
  customerId: id.nullable(),
  /** Contact address for tickets from anonymous callers. */
  contact: z.string().max(254).optional(),
  subject: z.string().min(1).max(200),
  description: z.string().max(20_000),
  channel: channelSchema,
  priority: ticketPrioritySchema,
  category: ticketCategorySchema,
  sentiment: z.number(),
  status: ticketStatusSchema,
  threadKey: z.string().max(500).optional(),
  createdAt: ts,
  updatedAt: ts,
  firstResponseAt: ts.optional(),
  resolvedAt: ts.optional(),
  closedAt: ts.optional(),
  messages: z.array(ticketMessageSchema),
  history: z.array(z.strictObject({ at: ts, from: ticketStatusSchema.nullable(), to: ticketStatusSchema, by: actorSchema, note: z.string().max(2000).optional() })),
});

export const noteSchema = z.strictObject({
  id,
  customerId: id,
  author: actorSchema,
  body: z.string().min(1).max(5000),
  ticketId: z.string().optional(),
  createdAt: ts,
});

export const approvalActionSchema = z.enum(['password_change', 'card_deactivation', 'card_unfreeze']);
export const approvalSchema = z.strictObject({
  id,
  customerId: id,
  action: approvalActionSchema,
  cardId: id.optional(),
  /** The customer's own words / reason, shown to staff (never a secret). */
  reason: z.string().max(2000),
  threadKey: z.string().max(500).optional(),
  channel: channelSchema.optional(),
  /** The channel identity of whoever asked (Slack user id or email address), for the four-eyes check. */
  requester: z.strictObject({ id: z.string().max(254), email: z.string().max(254).optional(), verification: z.string().max(200).optional() }).optional(),
  requestedAt: ts,
  expiresAt: ts,
  status: z.enum(['pending', 'approved', 'denied', 'expired']),
  decidedBy: actorSchema.optional(),
  decidedAt: ts.optional(),
  decisionNote: z.string().max(2000).optional(),
  executedAt: ts.optional(),
  outcome: z.string().max(2000).optional(),
  /** Where the staff card for this approval was posted (Slack channel + ts). */
  staffMessage: z.strictObject({ channel: z.string(), ts: z.string() }).optional(),
});

/**
 * A step a model proposed in a staff session (a public reply, a status change, a CRM note, a ticket for a
 * customer): nothing happens until a person sends it (Slack button, terminal command). `input` is what the
 * support operation will get; the person may edit its text fields before sending.
 */
export const draftKindSchema = z.enum(['ticket_response', 'ticket_status', 'customer_note', 'ticket_create']);
export const draftSchema = z.strictObject({
  id,
  kind: draftKindSchema,
  input: z.record(z.string(), z.unknown()),
  /** One line for people: what Send would do. */
  summary: z.string().max(2000),
  /** The staff member whose session drafted it. */
  staffId: z.string().max(254),
  threadKey: z.string().max(500).optional(),
  createdAt: ts,
  expiresAt: ts,
  /** `sending`: claimed by a Send click, effect under way (compare-and-set: one Send wins). */
  status: z.enum(['pending', 'sending', 'sent', 'discarded', 'failed', 'expired']),
  decidedBy: actorSchema.optional(),
  decidedAt: ts.optional(),
  outcome: z.string().max(2000).optional(),
  /** Where its card was posted (Slack channel + ts). */
  staffMessage: z.strictObject({ channel: z.string(), ts: z.string() }).optional(),
});

/**
 * Most one-time link secrets minted for one reset token or address change (a send attempt or a dev mailbox view
 * mints one). Past it no further link is minted: the customer asks again.
 */
export const MAX_LINK_SECRETS = 50;

/**
 * scrypt hashes of the link secrets minted for one token, in mint order (a link names its position). The secret of
 * a link is minted when its mail leaves (src/support/link-mint.ts) and only ever kept in memory on its way out.
 */
const tokenHashes = z.array(z.string().min(1).max(500)).max(MAX_LINK_SECRETS);

/** Records written before links were minted at send time held one `tokenHash` ('' = none): it becomes the first. */
function withTokenHashes(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || !('tokenHash' in raw) || 'tokenHashes' in raw) return raw;
  const { tokenHash, ...rest } = raw as { tokenHash: unknown };
  return { ...rest, tokenHashes: typeof tokenHash === 'string' && tokenHash !== '' ? [tokenHash] : [] };
}

export const resetTokenSchema = z.preprocess(withTokenHashes, z.strictObject({
  id,
  customerId: id,
  approvalId: id,
  email: z.string().max(254),
  /** Hashes of the links minted so far; every one works until the token is used or expires. */
  tokenHashes,
  createdAt: ts,
  expiresAt: ts,
  usedAt: ts.optional(),
  attempts: z.number().int().min(0).default(0),
}));

/**
 * A customer's request to change their postal address, waiting for their own confirmation (a single-use link
 * emailed to the address on file, or the terminal's `confirm` command): the model can ask, never apply.
 */
export const addressChangeSchema = z.preprocess(withTokenHashes, z.strictObject({
  id,
  customerId: id,
  address: addressSchema,
  /** Hashes of the confirmation links minted so far (none: no link went out yet, or none is sent: terminal only). */
  tokenHashes,
  requestedAt: ts,
  expiresAt: ts,
  /** `superseded`: a newer request replaced it (its link no longer works). */
  status: z.enum(['pending', 'confirmed', 'superseded']),
  channel: channelSchema.optional(),
  threadKey: z.string().max(500).optional(),
  confirmedAt: ts.optional(),
  confirmedVia: z.enum(['link', 'terminal']).optional(),
  supersededAt: ts.optional(),
}));

export const conversationSchema = z.strictObject({
  threadKey: z.string().min(1).max(500),
  channel: channelSchema,
  callerKind: z.enum(['customer', 'staff', 'anonymous']),
  customerId: id.optional(),
  createdAt: ts,
  updatedAt: ts,
  /** Anthropic MessageParam[] (kept loose: the SDK's shape). */
  messages: z.array(z.unknown()),
  /** Summary of trimmed older turns. */
  summary: z.string().max(20_000).optional(),
  usage: z.strictObject({
    inputTokens: z.number().int().min(0),
    outputTokens: z.number().int().min(0),
    cacheReadTokens: z.number().int().min(0),
    cacheCreationTokens: z.number().int().min(0),
  }),
  /** Channel-specific thread facts (email subject and message ids, Slack channel/ts...). */
  meta: z.record(z.string(), z.unknown()),
});

export const processedSchema = z.strictObject({
  id: z.string().min(1).max(1000),
  threadKey: z.string().max(500),
  channel: channelSchema,
  receivedAt: ts,
  status: z.enum(['received', 'queued', 'done', 'ignored', 'failed']),
  reason: z.string().max(500).optional(),
  updatedAt: ts,
  /** The pending inbound message (text already redacted) while queued, so a restart re-queues it; removed when done. */
  message: z.record(z.string(), z.unknown()).optional(),
});

export const outboxSchema = z.strictObject({
  id,
  channel: channelSchema,
  threadKey: z.string().max(500),
  /** Channel-specific payload (email: to, subject, messageId, inReplyTo, references, text, html). */
  payload: z.record(z.string(), z.unknown()),
  /** `dev`: put in the local dev mailbox (no SMTP configured), never sent. */
  status: z.enum(['pending', 'sent', 'failed', 'dev']),
  attempts: z.number().int().min(0),
  nextAttemptAt: ts,
  lastError: z.string().max(2000).optional(),
  createdAt: ts,
  sentAt: ts.optional(),
});

export const auditSchema = z.strictObject({
  id,
  at: ts,
  actor: actorSchema,
  action: z.string().max(100),
  target: z.string().max(200),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const quarantineSchema = z.strictObject({
  id,
  at: ts,
  channel: channelSchema,
  ref: z.string().max(1000),
  reason: z.string().max(2000),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** What an API key of the web channel may do (issue 18). */
export const apiKeyScopeSchema = z.enum(['chat:act-as-customer', 'tokens:mint']);

/**
 * An API key a company's backend calls the web API with. Only a hash of the key's secret is stored: the key itself
 * (`hlk_<id>_<secret>`) is shown once, when it is created. A revoked key stays, so its use is refused and explained.
 */
export const apiKeySchema = z.strictObject({
  id,
  name: z.string().min(1).max(100),
  scopes: z.array(apiKeyScopeSchema).min(1).max(10),
  /** SHA-256 (hex) of the key's 256-bit random secret. */
  secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: ts,
  revokedAt: ts.optional(),
});

export const dbSchema = z.strictObject({
  version: z.literal(1),
  customers: z.array(customerSchema),
  accounts: z.array(accountSchema),
  cards: z.array(cardSchema),
  transactions: z.array(transactionSchema),
  tickets: z.array(ticketSchema),
  notes: z.array(noteSchema),
  approvals: z.array(approvalSchema),
  /** Staff-session drafts waiting for a person (absent in files written before drafts existed). */
  drafts: z.array(draftSchema).default([]),
  resetTokens: z.array(resetTokenSchema),
  /** Address changes waiting for the customer's confirmation (absent in files written before they existed). */
  addressChanges: z.array(addressChangeSchema).default([]),
  /** Keyed by threadKey. */
  conversations: z.record(z.string(), conversationSchema),
  /** Processed-message ledger, keyed by InboundMessage.id. */
  processed: z.record(z.string(), processedSchema),
  outbox: z.array(outboxSchema),
  audit: z.array(auditSchema),
  quarantine: z.array(quarantineSchema),
  /** Small per-component state (counters, IMAP sync position, caches), keyed by component, e.g. `email.sync`. */
  state: z.record(z.string(), z.unknown()),
});

export type Address = z.infer<typeof addressSchema>;
export type Customer = z.infer<typeof customerSchema>;
export type Account = z.infer<typeof accountSchema>;
export type Card = z.infer<typeof cardSchema>;
export type Transaction = z.infer<typeof transactionSchema>;
export type Actor = z.infer<typeof actorSchema>;
export type TicketStatus = z.infer<typeof ticketStatusSchema>;
export type TicketPriority = z.infer<typeof ticketPrioritySchema>;
export type TicketCategory = z.infer<typeof ticketCategorySchema>;
export type Channel = z.infer<typeof channelSchema>;
export type TicketMessage = z.infer<typeof ticketMessageSchema>;
export type TicketDelivery = z.infer<typeof ticketDeliverySchema>;
export type TicketDeliveryStatus = z.infer<typeof ticketDeliveryStatusSchema>;
export type Ticket = z.infer<typeof ticketSchema>;
export type Note = z.infer<typeof noteSchema>;
export type ApprovalAction = z.infer<typeof approvalActionSchema>;
export type Approval = z.infer<typeof approvalSchema>;
export type ResetToken = z.infer<typeof resetTokenSchema>;
export type Draft = z.infer<typeof draftSchema>;
export type AddressChange = z.infer<typeof addressChangeSchema>;
export type DraftKind = z.infer<typeof draftKindSchema>;
export type Conversation = z.infer<typeof conversationSchema>;
export type Processed = z.infer<typeof processedSchema>;
export type OutboxItem = z.infer<typeof outboxSchema>;
export type AuditEntry = z.infer<typeof auditSchema>;
export type QuarantineEntry = z.infer<typeof quarantineSchema>;
export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;
export type ApiKey = z.infer<typeof apiKeySchema>;
export type Db = z.infer<typeof dbSchema>;

/** A fresh, empty database (used to build seeds and for tests; never to replace a bad file). */
export function emptyDb(): Db {
  return {
    version: 1,
    customers: [], accounts: [], cards: [], transactions: [], tickets: [], notes: [], approvals: [], drafts: [], resetTokens: [], addressChanges: [],
    conversations: {}, processed: {}, outbox: [], audit: [], quarantine: [], state: {},
  };
}
