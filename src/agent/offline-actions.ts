/** The offline assistant's two kinds of answer — say something, or call a tool — and the checks on which tools this caller has. */
import { createHash } from 'node:crypto';
import type { ModelMessage, ModelResponse } from './model.js';
import { emailIn } from './offline-intents.js';
import { contactFromContext } from './offline-reading.js';
import { CONFIRM_TICKET } from './offline-replies.js';
import { clip, STAFF_NOTE, UNVERIFIED } from './offline-texts.js';

/** The names of the tools this caller has. */
export type ToolNames = ReadonlySet<string>;

export function say(text: string): ModelResponse {
  return { content: [{ type: 'text', text }], stop_reason: 'end_turn', usage: { input_tokens: 0, output_tokens: 0 } };
}

/** A tool_use with an id derived from the conversation, so the same request gets the same id. */
export function useTool(msgs: ModelMessage[], name: string, input: Record<string, unknown>): ModelResponse {
  const id = `toolu_offline_${createHash('sha256').update(`${msgs.length}:${JSON.stringify(msgs[msgs.length - 1] ?? null)}:${name}`).digest('hex').slice(0, 16)}`;
  return { content: [{ type: 'tool_use', id, name, input }], stop_reason: 'tool_use', usage: { input_tokens: 0, output_tokens: 0 } };
}

/** An unverified caller: no ticket-listing tool of either audience. */
export function isAnonymous(tools: ToolNames): boolean {
  return !tools.has('list_my_tickets') && !tools.has('list_tickets');
}

/** The reply when this caller lacks an account tool: unverified sender, or a staff member. */
export function missing(tools: ToolNames): ModelResponse {
  return say(tools.has('list_tickets') ? STAFF_NOTE : UNVERIFIED);
}

export function needs(tools: ToolNames, name: string, then: () => ModelResponse): ModelResponse {
  return tools.has(name) ? then() : missing(tools);
}

/** create_ticket; an unverified caller must give a contact email (in `text` or the context note). */
export function openTicket(msgs: ModelMessage[], tools: ToolNames, text: string, subject: string, description: string): ModelResponse {
  if (!tools.has('create_ticket')) return say("Sorry, I can't open tickets in this conversation.");
  const input: Record<string, unknown> = { subject: clip(subject, 200), description: clip(description, 4000), priority: 'normal' };
  if (isAnonymous(tools)) {
    const contact = emailIn(text) ?? contactFromContext(msgs);
    if (!contact) return say(`I need an email address so our team can reply. Please answer "yes" followed by your email address. ${CONFIRM_TICKET}`);
    input.contact = contact;
  }
  return useTool(msgs, 'create_ticket', input);
}
