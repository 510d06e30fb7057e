/** The offline assistant's reading of a new customer message: which tool to call, or what to say. */
import type { ModelMessage, ModelResponse } from './model.js';
import { isAnonymous, missing, needs, openTicket, say, useTool, type ToolNames } from './offline-actions.js';
import { addressText, formatAddress, parseAddress } from './offline-address.js';
import { followUp } from './offline-followups.js';
import { detectIntent, type Intent } from './offline-intents.js';
import { contactFromContext } from './offline-reading.js';
import { ASK_CARD, CONFIRM_ADDRESS, CONFIRM_TICKET } from './offline-replies.js';
import { ADDRESS_FORMAT, clip, customerWords, INTRO, OFFLINE_MODEL_NAME, UNVERIFIED } from './offline-texts.js';

/** The response to the customer's `text`, the last message of `msgs`. */
export function decide(text: string, msgs: ModelMessage[], tools: ToolNames): ModelResponse {
  const intent: Intent = detectIntent(text);
  const answer = followUp(text, intent, msgs, msgs.length - 2, tools);
  if (answer) return answer;

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
      return say(`I can request a change of your address to: ${formatAddress(addr)}. It takes effect only after you confirm it yourself (by an emailed link, or the confirm command in the terminal chat): I'll tell you how once it is requested. ${CONFIRM_ADDRESS}`);
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
