/**
 * Answers to the assistant's own last question ("shall I…?", "which card?", "which address?", "did you mean…?").
 * Returns the steps, a reading to act on, or undefined when the message is a new request instead.
 */
import { isAnonymous, needs, said, tool, type Ctx, type Step } from './actions.js';
import { addressFollowUp } from './address-flow.js';
import { cardAction, reasonFor } from './card-flow.js';
import type { IntentName, Reading } from './intents.js';
import { pendingOf, type Pending } from './pending.js';
import type { Turn } from './reading.js';
import { brandIn, emailIn, last4In } from './slots.js';
import { CANCELLED, customerWords, GO_ON, GOODBYE, HUMAN_SUBJECT } from './texts.js';
import { openTicket, ticketSubject } from './tickets.js';
import { isYesLike } from './understand.js';

const ACCOUNT: readonly IntentName[] = ['balance', 'transactions', 'details', 'address', 'card_block', 'card_freeze', 'card_unfreeze', 'password', 'ticket_status', 'ticket_list'];
/** The words that pick an option of a clarifying question. */
const OPTION_WORDS: Partial<Record<IntentName, RegExp>> = {
  details: /\b(details|see|show|cards)\b/i, balance: /\bbalance\b/i, transactions: /\b(transactions|payments)\b/i, address: /\baddress\b/i,
  password: /\bpassword\b/i, card_block: /\b(deactivate|lost|stolen|block|cancel)\b/i, card_freeze: /\b(freeze|pause|lock)\b/i,
  card_unfreeze: /\b(unfreeze|unlock|unblock|found)\b/i,
  ticket_create: /\bticket\b/i, human: /\b(person|human)\b/i, kb: /\b(articles?|search)\b/i,
};
const ORDINALS: Readonly<Record<string, number>> = { first: 0, '1': 0, '1st': 0, one: 0, second: 1, '2': 1, '2nd': 1, two: 1, third: 2, '3': 2, '3rd': 2, three: 2 };

/** The customer texts of the current ticket offer, oldest (the request itself) first. */
function ticketChain(turns: readonly Turn[]): string[] {
  let start = turns.length - 2;
  while (start > 0 && pendingOf(turns[start - 1]!.reply)?.kind === 'ticket' && (isYesLike(turns[start]!.text) || emailIn(turns[start]!.text))) start--;
  return turns.slice(Math.max(start, 0)).map((t) => t.text);
}

async function ticketFollowUp(turns: readonly Turn[], answer: 'yes' | 'no' | undefined, ctx: Ctx): Promise<Step[] | undefined> {
  const text = turns[turns.length - 1]!.text;
  const email = emailIn(text);
  if (answer === 'no') return [said(CANCELLED)];
  if (answer !== 'yes' && !email) return undefined;
  const chain = ticketChain(turns);
  const origin = chain[0] ?? '';
  const { requests } = await ctx.nlu.read(origin);
  const asked = requests.find((r) => r.intent === 'ticket_create');
  const intent = requests[0]?.intent;
  const subject = asked ? ticketSubject(requests.length > 1 ? asked.text : origin) : intent === 'human' ? HUMAN_SUBJECT
    : isAnonymous(ctx.tools) && intent && ACCOUNT.includes(intent) ? `Account help for an unverified sender: ${origin}` : origin || 'Customer request';
  return [openTicket(ctx, subject, origin || subject, chain.map(emailIn).find(Boolean))];
}

function cardFollowUp(pending: Extract<Pending, { kind: 'card' }>, turns: readonly Turn[], ctx: Ctx): Step[] | undefined {
  const { text } = turns[turns.length - 1]!;
  const brand = brandIn(text, ctx.brands);
  const byBrand = brand ? pending.cards.filter((c) => c.brand === brand) : [];
  const last4 = last4In(text) ?? (byBrand.length === 1 ? byBrand[0]!.last4 : undefined);
  if (!last4) return undefined;
  return [cardAction(pending.mode, last4, reasonFor(`${turns[turns.length - 2]!.text} … ${text}`), ctx.tools)];
}

/** "yes" to the urgent ticket offered with a lost card: a high-priority ticket naming the card, in the customer's words. */
async function urgentFollowUp(pending: Extract<Pending, { kind: 'urgent_ticket' }>, turns: readonly Turn[], ctx: Ctx): Promise<Step[] | undefined> {
  const text = turns[turns.length - 1]!.text;
  const answer = (await ctx.nlu.answer(text)) ?? (isYesLike(text) && /\bticket\b/i.test(text) ? 'yes' : undefined);
  if (answer === 'no') return [said(CANCELLED)];
  if (answer !== 'yes') return undefined;
  const origin = turns[turns.length - 2]!.text;
  const card = pending.last4 ? `Card ending ${pending.last4}` : 'A card';
  return [openTicket(ctx, `${card} lost or stolen: possible misuse`, `${customerWords(origin)}\nThe customer thinks someone else may be using the card.`, undefined, 'high')];
}

/** "the second one" / "2" → that option, on the words of the question it answers. */
async function clarifyFollowUp(options: readonly IntentName[], turns: readonly Turn[], ctx: Ctx): Promise<Reading | undefined> {
  const { text } = turns[turns.length - 1]!;
  const origin = turns[turns.length - 2]!.text;
  const word = /\b(first|second|third|1st|2nd|3rd|[123]|one|two|three)\b/i.exec(text)?.[1]?.toLowerCase();
  const picked = word !== undefined && text.trim().split(/\s+/).length <= 4 ? options[ORDINALS[word] ?? -1] : undefined;
  if (picked) return { requests: [{ intent: picked, text: origin, score: 1 }], text: origin };
  const alone = await ctx.nlu.read(text);
  if (alone.requests.length && !alone.requests.every((r) => r.intent === 'other')) return alone;
  // "deactivate it": the answer names an option, the question's words say what about.
  const together = await ctx.nlu.read(`${text} ${origin}`);
  const chosen = together.requests[0]?.intent;
  return chosen && options.includes(chosen) && OPTION_WORDS[chosen]?.test(text) ? together : undefined;
}

export async function followUp(turns: readonly Turn[], ctx: Ctx): Promise<Step[] | Reading | undefined> {
  const prev = turns[turns.length - 2];
  const pending = prev ? pendingOf(prev.reply) : undefined;
  if (!prev || !pending) return undefined;
  const text = turns[turns.length - 1]!.text;
  switch (pending.kind) {
    case 'address_confirm':
    case 'address_more':
      return addressFollowUp(turns, pending.kind === 'address_confirm', ctx);
    case 'ticket':
      return ticketFollowUp(turns, await ctx.nlu.answer(text), ctx);
    case 'deactivate_confirm': {
      const answer = await ctx.nlu.answer(text);
      if (answer === 'no') return [said(CANCELLED)];
      if (answer !== 'yes') return undefined;
      return [needs(ctx.tools, 'request_card_deactivation', () => tool('request_card_deactivation', { last4: pending.last4, reason: `Asked for a freeze (not available here), then agreed to a deactivation. ${reasonFor(prev.text)}` }))];
    }
    case 'urgent_ticket':
      return urgentFollowUp(pending, turns, ctx);
    case 'open': {
      const answer = await ctx.nlu.answer(text);
      return answer === 'yes' ? [said(GO_ON)] : answer === 'no' ? [said(GOODBYE)] : undefined;
    }
    case 'card': {
      const steps = cardFollowUp(pending, turns, ctx);
      if (steps) return steps;
      const answer = await ctx.nlu.answer(text);
      if (answer === 'no') return [said(CANCELLED)];
      return answer === 'yes' ? [said(prev.reply)] : undefined;
    }
    case 'clarify': {
      const answer = await ctx.nlu.answer(text);
      if (answer === 'no') return [said(CANCELLED)];
      if (answer === 'yes') return [said(prev.reply)];
      return clarifyFollowUp(pending.options, turns, ctx);
    }
  }
}
