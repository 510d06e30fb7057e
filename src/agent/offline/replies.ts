/** Turning tool results into friendly replies for the offline assistant. */
import { formatMinor } from '../../support/money.js';
import { unwrapToolData } from '../tools.js';
import { formatAddress } from './address.js';
import { CONFIRM_TICKET } from './texts.js';

type Data = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const arr = (v: unknown): Data[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Data[]) : []);

/** Minor units in the currency's own digits (JPY 0, EUR 2, BHD 3): the one formatter support uses too. */
function money(minor: unknown, currency: unknown): string {
  const n = typeof minor === 'number' && Number.isFinite(minor) ? minor : 0;
  try {
    return formatMinor(n, str(currency) || 'USD', 'en-GB');
  } catch {
    return `${n} ${str(currency)} (minor units)`;
  }
}
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const cardName = (c: Data) => `${cap(str(c.brand) || 'card')} ending ${str(c.last4)}`;

/** Split a tool_result's content into its text and the structured JSON the agent appended. */
export function parseToolContent(content: unknown): { text: string; data: Data | undefined } {
  const raw = unwrapToolData(typeof content === 'string' ? content : Array.isArray(content) ? content.map((b: { text?: unknown }) => str(b?.text)).join('\n') : '');
  const lines = raw.split('\n');
  const lastLine = lines[lines.length - 1] ?? '';
  if (lastLine.startsWith('{')) {
    try {
      return { text: lines.slice(0, -1).join('\n').trim(), data: JSON.parse(lastLine) as Data };
    } catch {
      /* not JSON: plain text */
    }
  }
  return { text: raw.trim(), data: undefined };
}

export function errorReply(tool: string, text: string): string {
  // The tool's own wording without its machine prefix ("request_x failed (code): ..."), which is for models and logs.
  const first = (text.split('\n')[0]?.trim() || 'something went wrong').replace(/^[a-z_]+ failed \([a-z_]+\):\s*/, '');
  if (/not available to this caller|unknown tool/i.test(first)) return "Sorry, I can't do that in this conversation.";
  return `Sorry, I couldn't ${TOOL_VERB[tool] ?? 'do that'}: ${first}`;
}

const TOOL_VERB: Record<string, string> = {
  get_account_balance: 'fetch your balance', get_recent_transactions: 'fetch your transactions', get_account_details: 'fetch your account details',
  update_address: 'request your address change', request_card_deactivation: 'request the card deactivation', request_password_change: 'request the password change',
  create_ticket: 'open the ticket', get_my_ticket: 'find that ticket', list_my_tickets: 'list your tickets', search_knowledge_base: 'search our help articles',
  freeze_card: 'freeze the card', unfreeze_card: 'request the card unfreeze',
};

export function approvalReply(data: Data, what: string, after: string): string {
  const id = str(data.approvalId);
  return `I've sent your request to ${what} to our staff. It needs a staff member's approval${id ? ` (request ${id})` : ''}, so it isn't done yet — I'll let you know here once it has been decided.${after}`;
}

/** `intent` shades the wording ('human': a person follows up here); `text` is the tool's own text, relayed for tools without a reply of their own. */
export function successReply(tool: string, data: Data, input: Data, intent: string, text = ''): string {
  switch (tool) {
    case 'get_account_balance': {
      const b = arr(data.balances);
      if (!b.length) return "I couldn't find any accounts on your profile.";
      return `Here ${b.length === 1 ? 'is your balance' : 'are your balances'}:\n${b.map((x) => `- ${cap(str(x.type))} (${str(x.accountId)}): ${str(x.formatted) || money(x.balanceMinor, x.currency)}`).join('\n')}`;
    }
    case 'get_recent_transactions': {
      const tx = arr(data.transactions);
      if (!tx.length) return 'I found no recent transactions.';
      return `Your ${tx.length === 1 ? 'most recent transaction' : `${tx.length} most recent transactions`}:\n${tx.map((x) => `- ${str(x.postedAt).slice(0, 10)} ${str(x.merchant)}: ${money(x.amountMinor, x.currency)}${x.status === 'pending' ? ' (pending)' : ''}`).join('\n')}`;
    }
    case 'get_account_details': {
      const cards = arr(data.cards);
      const c = (data.customer ?? {}) as Data;
      const addr = (c.address ?? undefined) as Parameters<typeof formatAddress>[0] | undefined;
      return [`Here's what we have on file for ${str(c.name)}:`, `- Email: ${str(c.email)}`, addr ? `- Address: ${formatAddress(addr)}` : '', cards.length ? `- Cards: ${cards.map((x) => `${cardName(x)} (${str(x.status)})`).join(', ')}` : ''].filter(Boolean).join('\n');
    }
    case 'update_address': {
      // Only a request: the result's own message says how the customer confirms it (never "done").
      const a = (data.address ?? input) as Parameters<typeof formatAddress>[0];
      return str(data.message) || `I've requested the change of your address to ${formatAddress(a)}. Nothing has changed yet: it takes effect only once you confirm it yourself.`;
    }
    case 'request_card_deactivation':
      return approvalReply(data, `deactivate your card${input.last4 ? ` ending ${str(input.last4)}` : ''}`, '');
    case 'freeze_card': {
      const last4 = str(data.last4) || str(input.last4);
      const done = data.alreadyFrozen === true ? `Your card ending ${last4} was already frozen; it stays frozen` : `Done: your card ending ${last4} is frozen now`;
      return `${done}, so it can't be used for payments. This is reversible: when you find it, say "unfreeze my card" and I'll ask our staff to unfreeze it ` +
        `(unfreezing needs a staff member's approval). If it's gone for good or stolen, say "deactivate my card ending ${last4}" and I'll ask our staff to deactivate it permanently.`;
    }
    case 'unfreeze_card':
      return approvalReply(data, `unfreeze your card${input.last4 ? ` ending ${str(input.last4)}` : ''}`, ' Until then it stays frozen and can\'t be used for payments.');
    case 'request_password_change':
      return approvalReply(data, 'change your password', `${data.linkDelivery === 'dev_mailbox'
        ? ' Once approved, the single-use reset link goes to the dev mailbox (no mail server is configured, so nothing is emailed).'
        : ' Once approved, a single-use reset link goes to the email address on file.'} Never share your password with anyone — including me.`);
    case 'create_ticket': {
      const t = (data.ticket ?? {}) as Data;
      return `I've opened ticket ${str(t.id)} ("${str(t.subject)}"). A member of our team will follow up with you${intent === 'human' ? ' here as soon as possible' : ''}.`;
    }
    case 'get_my_ticket': {
      const t = (data.ticket ?? {}) as Data;
      const msgs = arr(t.messages);
      const latest = msgs[msgs.length - 1];
      return `Ticket ${str(t.id)} ("${str(t.subject)}") is ${str(t.status).replace('_', ' ')}.${latest ? ` Latest update: ${str(latest.body).slice(0, 300)}` : ''}`;
    }
    case 'list_my_tickets': {
      const ts = arr(data.tickets);
      if (!ts.length) return "You don't have any tickets with us.";
      return `Your tickets:\n${ts.map((t) => `- ${str(t.id)} [${str(t.status).replace('_', ' ')}] ${str(t.subject)}`).join('\n')}`;
    }
    case 'search_knowledge_base': {
      const hits = arr(data.results).slice(0, 2);
      if (!hits.length) return `I couldn't find a help article about that. I can open a ticket so a person from our team can answer. ${CONFIRM_TICKET}`;
      return hits.map((h, i) => `${i === 0 ? 'From our help centre' : 'Also relevant'} — "${str(h.title)}": ${str(h.snippet)}`).join('\n');
    }
    default:
      return text || str(data.message) || 'Done.';
  }
}
