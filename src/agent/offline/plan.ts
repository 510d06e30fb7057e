/** The offline assistant's decision for the customer's latest message: the steps (tool calls and words) it takes. */
import { isTool, missing, needs, said, tool, type Ctx, type Step, type ToolStep } from './actions.js';
import { addressSteps } from './address-flow.js';
import { cardSteps } from './card-flow.js';
import { followUp } from './followups.js';
import { CARD_INTENTS, INTENT_LABEL, type Reading, type Request } from './intents.js';
import { isOpenQuestion, pendingOf } from './pending.js';
import { turnsOf } from './reading.js';
import { hasFullCardNumber, ticketIdsIn, transactionLimit } from './slots.js';
import { clarifyReply, clip, FULL_CARD_NUMBER, HUMAN_SUBJECT, INTRO, NOTHING_PENDING, THANKS_REPLY, unknownReply } from './texts.js';
import { openTicket, ticketOffer, ticketSubject } from './tickets.js';

/** At most this many tool calls in one response. */
export const MAX_TOOLS = 3;

function stepsFor(req: Request, reading: Reading, raw: string, ctx: Ctx): Step[] {
  const { tools } = ctx;
  // With one request, its values may be anywhere in the message; with several, each has its own part.
  const text = reading.requests.length === 1 ? raw : req.text;
  const read = (name: string, input = {}) => needs(tools, name, () => tool(name, input));
  switch (req.intent) {
    case 'greeting': return [said(INTRO)];
    case 'thanks': return [said(THANKS_REPLY)];
    case 'confirm': case 'decline': return [said(NOTHING_PENDING)];
    case 'human': return [openTicket(ctx, HUMAN_SUBJECT, raw)];
    case 'kb': return [tools.has('search_knowledge_base') ? tool('search_knowledge_base', { query: clip(req.text, 200), limit: 3 }) : missing(tools)];
    case 'password': return [read('request_password_change', { reason: 'Customer asked to change their password (chat).' })];
    case 'card_block': return cardSteps('block', text, ctx);
    case 'card_freeze': return cardSteps('freeze', text, ctx);
    case 'card_unfreeze': return cardSteps('unfreeze', text, ctx);
    case 'address': return addressSteps(raw, ctx);
    case 'ticket_status': {
      const ids = ticketIdsIn(text);
      return ids.length ? ids.slice(0, MAX_TOOLS).map((ticketId) => read('get_my_ticket', { ticketId })) : [read('list_my_tickets')];
    }
    case 'ticket_list': return [read('list_my_tickets')];
    case 'ticket_create': return [ticketOffer(ticketSubject(reading.requests.length === 1 ? raw : req.text), ctx)];
    case 'transactions': return [read('get_recent_transactions', { limit: transactionLimit(req.text) })];
    case 'balance': return [read('get_account_balance')];
    case 'details': return [read('get_account_details')];
    case 'other': return [said(unknownReply(raw))];
    case 'unclear': return [said(clarifyReply([INTENT_LABEL.address, INTENT_LABEL.password, INTENT_LABEL.details]))];
  }
}

/** Same tool call once (a card lookup merged with a details request), at most MAX_TOOLS calls, one question per reply. */
function tidy(steps: Step[]): Step[] {
  const tools: ToolStep[] = [];
  const words: string[] = [];
  for (const s of steps) {
    if (!isTool(s)) {
      const p = pendingOf(s.text);
      const asks = p !== undefined && !isOpenQuestion(p);
      if (!words.includes(s.text) && !(asks && words.some((w) => pendingOf(w)))) words.push(s.text);
      continue;
    }
    const same = tools.find((t) => t.name === s.name && JSON.stringify(t.input) === JSON.stringify(s.input));
    if (!same) tools.push({ ...s });
    else if (s.pick || same.pick) Object.assign(same, { pick: same.pick ?? s.pick, quiet: Boolean(same.quiet && s.quiet) });
  }
  return [...tools.slice(0, MAX_TOOLS), ...words.map(said)];
}

export function stepsForReading(reading: Reading, raw: string, ctx: Ctx): Step[] {
  if (reading.clarify) return [said(clarifyReply(reading.clarify.map((i) => INTENT_LABEL[i])))];
  const steps = reading.requests.flatMap((r) => stepsFor(r, reading, raw, ctx));
  const aboutCard = reading.requests.some((r) => CARD_INTENTS.includes(r.intent));
  if (hasFullCardNumber(raw) && !aboutCard) steps.unshift(said(FULL_CARD_NUMBER));
  return tidy(steps.length ? steps : [said(unknownReply(raw))]);
}

/** The steps for the last customer message in `ctx.msgs`. */
export async function plan(ctx: Ctx): Promise<Step[]> {
  const turns = turnsOf(ctx.msgs);
  const current = turns[turns.length - 1];
  if (!current) return [said(INTRO)];
  const answered = await followUp(turns, ctx);
  if (Array.isArray(answered)) return tidy(answered);
  return stepsForReading(answered ?? (await ctx.nlu.read(current.text)), current.text, ctx);
}
