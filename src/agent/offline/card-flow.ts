/** Card deactivation and freeze: which card (last 4 digits, or the one card of a named brand), and which tool. */
import { missing, said, tool, type CardPick, type Ctx, type Data, type Step, type ToolNames } from './actions.js';
import { brandIn, hasFullCardNumber, last4In } from './slots.js';
import { ASK_CARD, ASK_CARD_FREEZE, CONFIRM_DEACTIVATE, customerWords, FREEZE_UNAVAILABLE, FULL_CARD_NUMBER, listing } from './texts.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The reason staff see: the customer's words, flagged when the card is lost or stolen. */
export function reasonFor(text: string): string {
  return `${/\b(lost|lose|stolen|stole|missing|nicked|snatched|pickpocketed)\b/i.test(text) ? 'Reported lost or stolen. ' : ''}${customerWords(text)}`;
}

const canFreeze = (tools: ToolNames) => tools.has('freeze_card');

/** The action on a known card: freeze_card when asked and available; else a deactivation request (after a yes, for a freeze). */
export function cardAction(freeze: boolean, last4: string, reason: string, tools: ToolNames): Step {
  if (freeze && canFreeze(tools)) return tool('freeze_card', { last4 });
  if (!tools.has('request_card_deactivation')) return missing(tools);
  if (freeze) return said(`${FREEZE_UNAVAILABLE} I can ask our staff to deactivate your card ending ${last4} instead: that stops it for good once approved. ${CONFIRM_DEACTIVATE}`);
  return tool('request_card_deactivation', { last4, reason });
}

/** Steps for a card request written as `text`: act on the last 4 digits, or look the cards up to choose one. */
export function cardSteps(freeze: boolean, text: string, ctx: Ctx): Step[] {
  if (!ctx.tools.has('request_card_deactivation') && !(freeze && canFreeze(ctx.tools))) return [missing(ctx.tools)];
  const ask = freeze && canFreeze(ctx.tools) ? ASK_CARD_FREEZE : ASK_CARD;
  if (hasFullCardNumber(text)) return [said(`${FULL_CARD_NUMBER} ${ask} Please reply with the last 4 digits.`)];
  const last4 = last4In(text);
  if (last4) return [cardAction(freeze, last4, reasonFor(text), ctx.tools)];
  if (!ctx.tools.has('get_account_details')) return [said(`${ask} Please reply with the last 4 digits of the card.`)];
  return [{ kind: 'tool', name: 'get_account_details', input: {}, pick: { freeze, brand: brandIn(text, ctx.brands), reason: reasonFor(text) }, quiet: true }];
}

/** After the card lookup: the one card of the named brand, or the question which card. */
export function pickCard(details: Data, pick: CardPick, tools: ToolNames): Step {
  const cards = (Array.isArray(details.cards) ? details.cards : []) as Data[];
  const active = cards.filter((c) => c && c.status === 'active');
  if (!active.length) return said(`You have no active cards, so there is nothing to ${pick.freeze ? 'freeze' : 'deactivate'}.`);
  const named = pick.brand ? active.filter((c) => str(c.brand).toLowerCase() === pick.brand) : [];
  if (named.length === 1) return cardAction(pick.freeze, str(named[0]!.last4), pick.reason, tools);
  const freezing = pick.freeze && canFreeze(tools);
  const listed = (named.length > 1 ? named : active).map((c) => `${cap(str(c.brand) || 'card')} ending ${str(c.last4)}`);
  const lead = pick.freeze && !freezing ? `${FREEZE_UNAVAILABLE} I can ask our staff to deactivate a card instead. ` : '';
  return said(`${lead}${freezing ? ASK_CARD_FREEZE : ASK_CARD} Your active cards: ${listing(listed)}. Please reply with the last 4 digits.`);
}
