import { z } from 'zod';
import { channelSchema, type Db, type Processed } from '../store/schema.js';
import type { InboundMessage } from './types.js';
import { REDACTION_KINDS, type RedactionKind } from './redact.js';

/**
 * What the processed-message ledger keeps about a message while it is queued (`Processed.message`):
 * the inbound message with its text already redacted, the retry count, and — once the turn has run —
 * the reply, so a crash between the turn and the delivery re-delivers instead of re-running the turn.
 */
export const pendingMessageSchema = z.object({
  id: z.string().min(1),
  channel: channelSchema,
  threadKey: z.string().min(1),
  sender: z.object({
    id: z.string(),
    verified: z.boolean(),
    displayName: z.string().optional(),
    email: z.string().optional(),
  }),
  text: z.string(),
  receivedAt: z.string(),
  meta: z.record(z.string(), z.unknown()).optional(),
  redactions: z.array(z.enum(REDACTION_KINDS)).default([]),
  attempts: z.number().int().min(0).default(0),
  reply: z.object({
    text: z.string(), approvalIds: z.array(z.string()), handoff: z.boolean(), approvalsPosted: z.boolean().optional(),
    /** Drafts a staff turn opened; shown to staff (with Send / Discard) after the reply. */
    draftIds: z.array(z.string()).optional(), draftsPosted: z.boolean().optional(),
  }).optional(),
});
export type PendingMessage = z.infer<typeof pendingMessageSchema>;

export function toPending(msg: InboundMessage, redactions: RedactionKind[]): PendingMessage {
  const sender: PendingMessage['sender'] = { id: msg.sender.id, verified: msg.sender.verified };
  if (msg.sender.displayName !== undefined) sender.displayName = msg.sender.displayName;
  if (msg.sender.email !== undefined) sender.email = msg.sender.email;
  const p: PendingMessage = {
    id: msg.id, channel: msg.channel, threadKey: msg.threadKey, sender, text: msg.text,
    receivedAt: msg.receivedAt, redactions, attempts: 0,
  };
  if (msg.meta !== undefined) p.meta = msg.meta;
  return p;
}

export function toInbound(p: PendingMessage): InboundMessage {
  return { id: p.id, channel: p.channel, threadKey: p.threadKey, sender: p.sender, text: p.text, receivedAt: p.receivedAt, meta: p.meta };
}

/** A ledger entry, written before any side effect. `message` is present only while the message is queued. */
export function ledgerEntry(p: PendingMessage, status: Processed['status'], now: string, reason?: string): Processed {
  const e: Processed = { id: p.id, threadKey: p.threadKey, channel: p.channel, receivedAt: p.receivedAt, status, updatedAt: now };
  if (reason !== undefined) e.reason = reason.slice(0, 500);
  if (status === 'queued' || status === 'received') e.message = JSON.parse(JSON.stringify(p)) as Record<string, unknown>;
  return e;
}

/** Update an entry in place (call inside `store.update`). Finished entries drop their message. */
export function setLedger(db: Db, id: string, patch: { status?: Processed['status']; reason?: string | undefined; message?: PendingMessage | undefined }, now: string): void {
  const e = db.processed[id];
  if (!e) return;
  if (patch.status) e.status = patch.status;
  if (patch.reason !== undefined) e.reason = patch.reason.slice(0, 500);
  else if ('reason' in patch) delete e.reason;
  if (patch.message) e.message = JSON.parse(JSON.stringify(patch.message)) as Record<string, unknown>;
  if (e.status !== 'queued' && e.status !== 'received') delete e.message;
  e.updatedAt = now;
}

/** Entries left queued by an earlier process, in arrival (ledger insertion) order; unreadable ones returned separately. */
export function leftQueued(db: Readonly<Db>): { ok: PendingMessage[]; bad: string[] } {
  const ok: PendingMessage[] = [];
  const bad: string[] = [];
  const entries = Object.values(db.processed).filter((e) => e.status === 'queued' || e.status === 'received');
  for (const e of entries) {
    const parsed = pendingMessageSchema.safeParse(e.message);
    if (parsed.success) ok.push(parsed.data);
    else bad.push(e.id);
  }
  return { ok, bad };
}

/** Drop finished ledger entries last updated before `before` (dedupe only needs recent ids). Returns how many. */
export function pruneLedger(db: Db, before: string): number {
  let n = 0;
  for (const [id, e] of Object.entries(db.processed)) {
    if (e.status !== 'queued' && e.status !== 'received' && e.updatedAt < before) {
      delete db.processed[id];
      n++;
    }
  }
  return n;
}

/**
 * Count bound: while the ledger holds more than `maxEntries`, drop the oldest finished entries (insertion order),
 * but never one updated at or after `notBefore`, so a redelivery that can still arrive (Slack retries within
 * minutes) is still recognised. Queued entries are never dropped. Returns how many were dropped.
 */
export function boundLedger(db: Db, maxEntries: number, notBefore: string): number {
  const ids = Object.keys(db.processed);
  let excess = ids.length - Math.max(0, maxEntries);
  let n = 0;
  for (const id of ids) {
    if (excess <= 0) break;
    const e = db.processed[id]!;
    if (e.status === 'queued' || e.status === 'received' || e.updatedAt >= notBefore) continue;
    delete db.processed[id];
    excess--;
    n++;
  }
  return n;
}
