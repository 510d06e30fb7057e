/**
 * zod schemas of the records declared beside their ports (src/store/repos), for the JSON engine's file. They
 * check types only (no lengths or formats): whatever the repositories store must load again, including records
 * imported from an old `state` bag. Each `satisfies` ties a schema to its port type.
 */
import { z } from 'zod';
import type { EmailDecision, EmailThread, MailboxState, MessageIdEntry } from '../repos/email.js';
import type { Undeliverable } from '../repos/email-limits.js';
import type { Lease } from '../repos/leases.js';
import type { EmailPayload, OutboxRecord } from '../repos/outbox.js';
import type { AlertRow, BudgetRow, SlackPostedRow, SlackThreadRow } from '../memory/state.js';

const s = z.string();
const opt = s.optional();
const int = z.number().int();

/** `z.ZodType<T>` whose output is assignable to `T` (checks that a schema does not drift from its port type). */
type Of<T> = z.ZodType<T, unknown>;

export const mailboxSchema = z.strictObject({ mailbox: s, uidValidity: s, lastUid: int, previousUidValidity: opt, updatedAt: s }) satisfies Of<MailboxState>;

export const decisionSchema = z.strictObject({
  messageId: s, decision: z.enum(['pending', 'replied', 'ignored', 'quarantined', 'budget', 'busy']), reason: s, uid: int, uidValidity: s,
  from: opt, threadKey: opt, at: s,
}) satisfies Of<EmailDecision>;

export const emailThreadSchema = z.strictObject({
  threadKey: s, customerEmail: s, subject: s, lastInboundId: s, references: z.array(s), createdAt: s, updatedAt: s,
}) satisfies Of<EmailThread>;

export const messageIdSchema = z.strictObject({ messageId: s, threadKey: s, dir: z.enum(['in', 'out']), at: s }) satisfies Of<MessageIdEntry>;

export const undeliverableSchema = z.strictObject({ address: s, until: s, reason: s }) satisfies Of<Undeliverable>;

export const budgetSchema = z.strictObject({ key: s, times: z.array(s) }) satisfies Of<BudgetRow>;

export const budgetAlertSchema = z.strictObject({ key: s, until: s }) satisfies Of<AlertRow>;

const payloadSchema = z.strictObject({
  kind: z.enum(['reply', 'system']), replyKind: opt, sourceId: opt, to: s, subject: s, text: s, html: opt, messageId: opt, inReplyTo: opt,
  references: z.array(s).optional(),
}) satisfies Of<EmailPayload>;

export const outboxSchema = z.strictObject({
  id: s, threadKey: s, payload: payloadSchema, status: z.enum(['pending', 'sent', 'failed', 'dev']), attempts: int.min(0), nextAttemptAt: s,
  lastError: opt, createdAt: s, sentAt: opt, claimedBy: opt, claimedUntil: opt,
}) satisfies Of<OutboxRecord>;

export const slackThreadSchema = z.strictObject({ threadRef: s, at: s }) satisfies Of<SlackThreadRow>;

export const slackPostedSchema = z.strictObject({ chunkKey: s, ts: s, at: s }) satisfies Of<SlackPostedRow>;

export const leaseSchema = z.strictObject({ name: s, holder: s, until: s, fence: int }) satisfies Of<Lease>;
