/** Answers to the offline assistant's own last question: "shall I…?" confirmations and "which card?". */
import { textOf, type ModelMessage, type ModelResponse } from './model.js';
import { isAnonymous, needs, openTicket, say, useTool, type ToolNames } from './offline-actions.js';
import { addressText, parseAddress } from './offline-address.js';
import { detectIntent, last4In, type Intent } from './offline-intents.js';
import { originText } from './offline-reading.js';
import { ASK_CARD, CONFIRM_ADDRESS, CONFIRM_TICKET } from './offline-replies.js';
import { ADDRESS_FORMAT, customerWords } from './offline-texts.js';

const ACCOUNT_INTENTS: ReadonlySet<Intent['kind']> = new Set<Intent['kind']>(['balance', 'transactions', 'details', 'address', 'card', 'password', 'ticket_status', 'ticket_list']);

/**
 * When the previous assistant message (at `prevIdx`) asked something and `text` answers it, the response;
 * undefined when the message is not such an answer (it is then read as a new request).
 */
export function followUp(text: string, intent: Intent, msgs: ModelMessage[], prevIdx: number, tools: ToolNames): ModelResponse | undefined {
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
  return undefined;
}
