import { z } from 'zod';
import type { InboundLedgerRepository } from '../store/repos/index.js';
import { channelSchema, type Processed } from '../store/schema.js';
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
  if (status === 'queued' || status === 'received') e.message = ledgerMessage(p);
  return e;
}

/** The pending message to keep on a ledger entry (a plain copy). */
export function ledgerMessage(p: PendingMessage): Record<string, unknown> {
  return JSON.parse(JSON.stringify(p)) as Record<string, unknown>;
}

/**
 * Entries left unfinished by an earlier process, in arrival (claim) order, read page by page; unreadable ones are
 * returned separately. Everything found is queued again in memory, so this holds no more than the queue will.
 */
export async function leftQueued(ledger: InboundLedgerRepository, pageSize = 500): Promise<{ ok: PendingMessage[]; bad: string[] }> {
  const ok: PendingMessage[] = [];
  const bad: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await ledger.listUnfinished(pageSize, after);
    for (const e of page) {
      const parsed = pendingMessageSchema.safeParse(e.message);
      if (parsed.success) ok.push(parsed.data);
      else bad.push(e.id);
    }
    if (page.length < pageSize) return { ok, bad };
    after = page[page.length - 1]!.id;
  }
}
