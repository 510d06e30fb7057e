/**
 * Card requests: deactivate (staff approve), freeze (at once, reversible) and unfreeze (staff approve). Which card (last
 * 4 digits, or the one card of a named brand among those the request can apply to), and which tool.
 */
import { missing, said, tool, type CardMode, type CardPick, type Ctx, type Data, type Step, type ToolNames } from './actions.js';
import { brandIn, hasFullCardNumber, last4In } from './slots.js';
import { ASK_CARD_FOR, CONFIRM_DEACTIVATE, customerWords, FREEZE_UNAVAILABLE, FULL_CARD_NUMBER, listing } from './texts.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The tool each mode needs. */
export const CARD_TOOL: Readonly<Record<CardMode, string>> = { block: 'request_card_deactivation', freeze: 'freeze_card', unfreeze: 'unfreeze_card' };
/** The cards each mode can apply to: a frozen card can still be deactivated; only a frozen one unfrozen. */
const CANDIDATE: Readonly<Record<CardMode, (status: string) => boolean>> = {
  block: (s) => s === 'active' || s === 'frozen', freeze: (s) => s === 'active', unfreeze: (s) => s === 'frozen',
};
const NONE: Readonly<Record<CardMode, string>> = {
  block: 'You have no active or frozen cards, so there is nothing to deactivate.',
  freeze: 'You have no active cards, so there is nothing to freeze.',
  unfreeze: 'None of your cards is frozen, so there is nothing to unfreeze.',
};

/** The reason staff see: the customer's words, flagged when the card is lost or stolen. */
export function reasonFor(text: string): string {
  return `${/\b(lost|lose|stolen|stole|missing|nicked|snatched|pickpocketed)\b/i.test(text) ? 'Reported lost or stolen. ' : ''}${customerWords(text)}`;
}

/** The mode actually used: a freeze without the freeze tool becomes the offer of a deactivation. */
const effective = (mode: CardMode, tools: ToolNames): CardMode => (mode === 'freeze' && !tools.has(CARD_TOOL.freeze) ? 'block' : mode);

/** The action on a known card: the mode's tool; a freeze without freeze_card offers a deactivation (after a yes). */
export function cardAction(mode: CardMode, last4: string, reason: string, tools: ToolNames): Step {
  if (mode === 'freeze' && tools.has(CARD_TOOL.freeze)) return tool('freeze_card', { last4 });
  if (mode === 'unfreeze') return tools.has(CARD_TOOL.unfreeze) ? tool('unfreeze_card', { last4, reason }) : missing(tools);
  if (!tools.has(CARD_TOOL.block)) return missing(tools);
  if (mode === 'freeze') return said(`${FREEZE_UNAVAILABLE} I can ask our staff to deactivate your card ending ${last4} instead: that stops it for good once approved. ${CONFIRM_DEACTIVATE}`);
  return tool('request_card_deactivation', { last4, reason });
}

/** Steps for a card request written as `text`: act on the last 4 digits, or look the cards up to choose one. */
export function cardSteps(mode: CardMode, text: string, ctx: Ctx): Step[] {
  const asked = effective(mode, ctx.tools);
  if (!ctx.tools.has(CARD_TOOL[asked])) return [missing(ctx.tools)];
  const ask = ASK_CARD_FOR[asked];
  if (hasFullCardNumber(text)) return [said(`${FULL_CARD_NUMBER} ${ask} Please reply with the last 4 digits.`)];
  const last4 = last4In(text);
  if (last4) return [cardAction(mode, last4, reasonFor(text), ctx.tools)];
  if (!ctx.tools.has('get_account_details')) return [said(`${ask} Please reply with the last 4 digits of the card.`)];
  return [{ kind: 'tool', name: 'get_account_details', input: {}, pick: { mode, brand: brandIn(text, ctx.brands), reason: reasonFor(text) }, quiet: true }];
}

/** After the card lookup: the one card of the named brand (or the only candidate, to unfreeze), or the question which card. */
export function pickCard(details: Data, pick: CardPick, tools: ToolNames): Step {
  const cards = (Array.isArray(details.cards) ? details.cards : []) as Data[];
  const candidates = cards.filter((c) => c && CANDIDATE[pick.mode](str(c.status)));
  if (!candidates.length) return said(NONE[pick.mode]);
  const named = pick.brand ? candidates.filter((c) => str(c.brand).toLowerCase() === pick.brand) : [];
  const only = named.length === 1 ? named[0] : pick.mode === 'unfreeze' && candidates.length === 1 ? candidates[0] : undefined;
  if (only) return cardAction(pick.mode, str(only.last4), pick.reason, tools);
  const asked = effective(pick.mode, tools);
  const listed = (named.length > 1 ? named : candidates).map((c) => `${cap(str(c.brand) || 'card')} ending ${str(c.last4)}${c.status === 'frozen' && asked === 'block' ? ' (frozen)' : ''}`);
  const lead = pick.mode !== asked ? `${FREEZE_UNAVAILABLE} I can ask our staff to deactivate a card instead. ` : '';
  const which = asked === 'unfreeze' ? 'Your frozen cards' : asked === 'freeze' ? 'Your active cards' : 'Your cards';
  return said(`${lead}${ASK_CARD_FOR[asked]} ${which}: ${listing(listed)}. Please reply with the last 4 digits.`);
}
