import type { Logger } from '../config/logger.js';
import { typedTools } from '../mcp/index.js';
import type { Caller } from '../support/caller.js';
import type { ToolClient } from './types.js';

export type HandoffReason = 'round_limit' | 'turn_timeout' | 'refusal' | 'context_window';

const WHY: Record<HandoffReason, string> = {
  round_limit: "I couldn't finish this one on my own.",
  turn_timeout: 'this is taking me longer than it should.',
  refusal: "I'm not able to help with that request here.",
  context_window: 'this conversation has grown too long for me to handle well.',
};

const TICKET_REASON: Record<HandoffReason, string> = {
  round_limit: 'the assistant reached its limit of tool rounds for one message',
  turn_timeout: 'the assistant ran out of time for one message',
  refusal: 'the model declined to answer',
  context_window: 'the conversation no longer fits the model context',
};

/**
 * Open a follow-up ticket through create_ticket when this caller has it. Returns the ticket id, if any. Not for staff:
 * they are the person a ticket would reach (and in their sessions create_ticket only drafts).
 */
export async function openHandoffTicket(
  client: ToolClient,
  available: ReadonlySet<string>,
  input: { caller: Caller; threadKey: string; text: string; reason: HandoffReason },
  log: Logger,
): Promise<string | undefined> {
  if (!available.has('create_ticket') || input.caller.kind === 'staff') return undefined;
  const ticket = {
    subject: 'Follow-up needed: assistant handed this conversation to a person',
    description: `Handed off because ${TICKET_REASON[input.reason]}.\nThread: ${input.threadKey}\nCustomer's last message: ${input.text.slice(0, 2000)}`,
    priority: 'normal',
  } as const;
  const caller = input.caller;
  if (caller.kind === 'anonymous' && !caller.contact) return undefined;
  try {
    const { ticket: opened } = caller.kind === 'anonymous'
      ? await typedTools(client, 'anonymous').call('create_ticket', { ...ticket, contact: caller.contact ?? '' })
      : await typedTools(client, 'customer').call('create_ticket', ticket);
    log.info({ threadKey: input.threadKey, ticketId: opened.id, reason: input.reason }, 'hand-off ticket opened');
    return opened.id;
  } catch (err) {
    log.warn({ threadKey: input.threadKey, code: (err as { code?: unknown }).code, err: (err as Error).message }, 'hand-off ticket could not be opened');
    return undefined;
  }
}

export function handoffReply(reason: HandoffReason, ticketId: string | undefined): string {
  const follow = ticketId
    ? `I've opened ticket ${ticketId} and a person from our team will follow up with you here.`
    : 'A person from our team will follow up with you here.';
  return `Sorry — ${WHY[reason]} ${follow}`;
}
