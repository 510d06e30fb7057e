/**
 * The Helpline offline assistant: a deterministic, rule-based responder behind the same model port as Claude.
 * It reads the conversation, asks for the same MCP tools (tool_use) and turns their results into replies.
 * Used when no API key is set, and as a second model in tests.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import { isToolResultBlock, isToolUseBlock, textOf, type ModelMessage, type ModelPort, type ModelRequest, type ModelResponse, type ToolResultBlock } from './model.js';
import { NOTICE_PREFIX } from './transcript.js';
import { addressText, formatAddress, parseAddress } from './offline-address.js';
import { detectIntent, emailIn, isConfirmation, isDecline, last4In, type Intent } from './offline-intents.js';
import { ASK_CARD, CONFIRM_ADDRESS, CONFIRM_TICKET, errorReply, parseToolContent, successReply } from './offline-replies.js';

export const OFFLINE_MODEL_NAME = 'Helpline offline assistant';

const INTRO = `Hello! I'm the ${OFFLINE_MODEL_NAME} (a simple rule-based helper, not a person). I can show your balance or recent transactions, change your address, deactivate a card, start a password change, open or check tickets, and search our help articles. What can I do for you?`;
const UNVERIFIED = `I can't access account information in this conversation because your identity isn't verified. Please contact us from the email address or Slack account registered with us. I can still answer general questions, or open a ticket so a person can follow up. ${CONFIRM_TICKET}`;
const STAFF_NOTE = 'That is a customer action, and this conversation is with a member of staff: the offline assistant only runs customer requests. Please use the staff tools (tickets, approvals) instead.';
const ADDRESS_FORMAT = 'Please send the full new address in one message, for example: "change my address to 12 High Street, London SW1A 1AA, GB" (street, town and postcode, two-letter country code).';

const ACCOUNT_INTENTS = new Set<Intent['kind']>(['balance', 'transactions', 'details', 'address', 'card', 'password', 'ticket_status', 'ticket_list']);
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
/** The customer's own words for staff (already redacted of secrets by conversations). */
const customerWords = (s: string) => `Customer wrote: "${clip(s.replace(/\s+/g, ' ').trim(), 400)}"`;

function customerText(m: ModelMessage | undefined): string {
  if (!m || m.role !== 'user') return '';
  return m.content.filter((b) => b.type === 'text').map((b) => String((b as { text: unknown }).text)).filter((t) => !t.startsWith(NOTICE_PREFIX)).join('\n').trim();
}

/** The latest user words before index `before` that aren't just a yes/no. */
function originText(msgs: ModelMessage[], before: number): string {
  for (let i = before - 1; i >= 0; i--) {
    const t = customerText(msgs[i]);
    if (t && !(isConfirmation(t) && t.split(/\s+/).length <= 6) && !isDecline(t)) return t;
  }
  return '';
}

function contactFromContext(msgs: ModelMessage[]): string | undefined {
  for (const m of msgs) {
    for (const b of m.content) {
      const t = b.type === 'text' ? String((b as { text: unknown }).text) : '';
      const hit = /contact email for tickets is (\S+@\S+?)\.?(?:\s|$)/.exec(t)?.[1];
      if (hit) return hit;
    }
  }
  return undefined;
}

function say(text: string): ModelResponse {
  return { content: [{ type: 'text', text }], stop_reason: 'end_turn', usage: { input_tokens: 0, output_tokens: 0 } };
}

function useTool(msgs: ModelMessage[], name: string, input: Record<string, unknown>): ModelResponse {
  const id = `toolu_offline_${createHash('sha256').update(`${msgs.length}:${JSON.stringify(msgs[msgs.length - 1] ?? null)}:${name}`).digest('hex').slice(0, 16)}`;
  return { content: [{ type: 'tool_use', id, name, input }], stop_reason: 'tool_use', usage: { input_tokens: 0, output_tokens: 0 } };
}

export function createOfflineModel(): ModelPort {
  return {
    name: OFFLINE_MODEL_NAME,
    async createMessage(req: ModelRequest, opts): Promise<ModelResponse> {
      if (opts?.signal?.aborted) throw new AppError('timeout', 'The turn deadline passed');
      return respond(req);
    },
  };
}

function respond(req: ModelRequest): ModelResponse {
  const msgs = req.messages;
  const last = msgs[msgs.length - 1];
  if (!last || last.role !== 'user') return say(INTRO);
  const results = last.content.filter(isToolResultBlock);
  if (results.length) return afterTools(msgs, results);
  return decide(customerText(last), msgs, new Set(req.tools.map((t) => t.name)));
}

function afterTools(msgs: ModelMessage[], results: ToolResultBlock[]): ModelResponse {
  const assistant = msgs[msgs.length - 2];
  const uses = new Map((assistant?.content ?? []).filter(isToolUseBlock).map((u) => [u.id, u]));
  let turnText = '';
  for (let i = msgs.length - 1; i >= 0 && !turnText; i--) turnText = customerText(msgs[i]);
  const intent = detectIntent(turnText).kind;
  const replies = results.map((r) => {
    const use = uses.get(r.tool_use_id);
    const { text, data } = parseToolContent(r.content);
    if (!use) return 'That earlier request was interrupted, so I did not repeat it. Please check and ask again if needed.';
    if (r.is_error) return errorReply(use.name, text);
    return successReply(use.name, data ?? {}, use.input, intent);
  });
  return say(replies.join('\n\n'));
}

function isAnonymous(tools: Set<string>): boolean {
  return !tools.has('list_my_tickets') && !tools.has('list_tickets');
}

function openTicket(msgs: ModelMessage[], tools: Set<string>, text: string, subject: string, description: string): ModelResponse {
  if (!tools.has('create_ticket')) return say("Sorry, I can't open tickets in this conversation.");
  const input: Record<string, unknown> = { subject: clip(subject, 200), description: clip(description, 4000), priority: 'normal' };
  if (isAnonymous(tools)) {
    const contact = emailIn(text) ?? contactFromContext(msgs);
    if (!contact) return say(`I need an email address so our team can reply. Please answer "yes" followed by your email address. ${CONFIRM_TICKET}`);
    input.contact = contact;
  }
  return useTool(msgs, 'create_ticket', input);
}

/** The reply when this caller lacks an account tool: unverified sender, or a staff member. */
function missing(tools: Set<string>): ModelResponse {
  return say(tools.has('list_tickets') ? STAFF_NOTE : UNVERIFIED);
}

function needs(tools: Set<string>, name: string, then: () => ModelResponse): ModelResponse {
  return tools.has(name) ? then() : missing(tools);
}

function decide(text: string, msgs: ModelMessage[], tools: Set<string>): ModelResponse {
  const intent: Intent = detectIntent(text);
  const prevIdx = msgs.length - 2;
  const prev = msgs[prevIdx]?.role === 'assistant' ? textOf(msgs[prevIdx]!.content) : '';

  if (prev.includes(CONFIRM_ADDRESS) || prev.includes(CONFIRM_TICKET)) {
    if (intent.kind === 'decline') return say("OK, I won't do that. Is there anything else I can help with?");
    if (intent.kind === 'confirm') {
      const origin = originText(msgs, prevIdx);
      if (prev.includes(CONFIRM_ADDRESS)) {
        const addr = parseAddress(addressText(origin) ?? '');
        if (!addr) return say(ADDRESS_FORMAT);
        return needs(tools, 'update_address', () => useTool(msgs, 'update_address', { ...addr }));
      }
      const o = detectIntent(origin);
      const accountHelp = isAnonymous(tools) && ACCOUNT_INTENTS.has(o.kind);
      const subject = o.kind === 'ticket_create' ? o.subject : o.kind === 'human' ? 'Customer asked to talk to a person' : accountHelp ? `Account help for an unverified sender: ${origin}` : origin || 'Customer request';
      return openTicket(msgs, tools, text, subject, origin || subject);
    }
  }
  if (prev.includes(ASK_CARD) && (intent.kind === 'unknown' || intent.kind === 'card' || intent.kind === 'confirm')) {
    const l4 = last4In(text);
    if (l4) return needs(tools, 'request_card_deactivation', () => useTool(msgs, 'request_card_deactivation', { last4: l4, reason: customerWords(`${originText(msgs, prevIdx)} … ${text}`) }));
  }

  switch (intent.kind) {
    case 'greeting':
      return say(INTRO);
    case 'thanks':
      return say("You're welcome! Is there anything else I can help with?");
    case 'confirm':
    case 'decline':
      return say("There's nothing waiting for your confirmation right now. What can I help you with?");
    case 'human':
      return openTicket(msgs, tools, text, 'Customer asked to talk to a person', text);
    case 'kb':
      return tools.has('search_knowledge_base') ? useTool(msgs, 'search_knowledge_base', { query: clip(intent.query, 200), limit: 3 }) : say(UNVERIFIED);
    case 'password':
      return needs(tools, 'request_password_change', () => useTool(msgs, 'request_password_change', { reason: 'Customer asked to change their password (chat).' }));
    case 'card': {
      if (!tools.has('request_card_deactivation')) return missing(tools);
      if (intent.fullNumber) return say(`Please don't share full card numbers here — I only ever need the last 4 digits. ${ASK_CARD} Please reply with the last 4 digits.`);
      if (intent.last4) {
        const lost = /\b(lost|lose|stolen|missing)\b/i.test(text);
        return useTool(msgs, 'request_card_deactivation', { last4: intent.last4, reason: `${lost ? 'Reported lost or stolen. ' : ''}${customerWords(text)}` });
      }
      return needs(tools, 'get_account_details', () => useTool(msgs, 'get_account_details', {}));
    }
    case 'address': {
      if (!tools.has('update_address')) return missing(tools);
      const addr = parseAddress(addressText(text) ?? '');
      if (!addr) return say(ADDRESS_FORMAT);
      return say(`I'll update your address to: ${formatAddress(addr)}. ${CONFIRM_ADDRESS}`);
    }
    case 'ticket_status':
      return needs(tools, 'get_my_ticket', () => useTool(msgs, 'get_my_ticket', { ticketId: intent.ticketId }));
    case 'ticket_list':
      return needs(tools, 'list_my_tickets', () => useTool(msgs, 'list_my_tickets', {}));
    case 'ticket_create':
      return say(`I can open a ticket for our team: "${intent.subject}".${isAnonymous(tools) && !contactFromContext(msgs) ? ' Please include your email address with your answer.' : ''} ${CONFIRM_TICKET}`);
    case 'transactions':
      return needs(tools, 'get_recent_transactions', () => useTool(msgs, 'get_recent_transactions', { limit: intent.limit }));
    case 'balance':
      return needs(tools, 'get_account_balance', () => useTool(msgs, 'get_account_balance', {}));
    case 'details':
      return needs(tools, 'get_account_details', () => useTool(msgs, 'get_account_details', {}));
    case 'unknown':
      return say(`I'm the ${OFFLINE_MODEL_NAME} and I can't answer that myself. I can open a ticket so a person from our team can help: "${clip(text, 120)}". ${CONFIRM_TICKET}`);
  }
}
