/**
 * The reply once tools have run: the plan for the customer's message is made again (it is deterministic) to know
 * why each tool ran; a card lookup may lead to one more call (the card of the named brand); then every result of
 * this turn gets its sentence, followed by anything the plan says besides.
 */
import { isToolResultBlock, isToolUseBlock, type ModelResponse, type ToolResultBlock, type ToolUseBlock } from '../model.js';
import { isTool, say, useTools, type Ctx } from './actions.js';
import { CARD_TOOL, pickCard } from './card-flow.js';
import { isOpenQuestion, pendingOf, type Pending } from './pending.js';
import { plan } from './plan.js';
import { turnsOf } from './reading.js';
import { errorReply, parseToolContent, successReply } from './replies.js';
import { CONFIRM_URGENT_TICKET, HUMAN_SUBJECT } from './texts.js';

const asks = (p: Pending | undefined) => p !== undefined && !isOpenQuestion(p);

const INTERRUPTED = 'That earlier request was interrupted, so I did not repeat it. Please check and ask again if needed.';
const CARD_TOOLS = Object.values(CARD_TOOL);

interface Pair { use: ToolUseBlock | undefined; result: ToolResultBlock }

/** The tool calls and results since the customer's latest message, in order. */
function pairsSince(ctx: Ctx, from: number): Pair[] {
  const pairs: Pair[] = [];
  let uses = new Map<string, ToolUseBlock>();
  for (const m of ctx.msgs.slice(from + 1)) {
    if (m.role === 'assistant') uses = new Map(m.content.filter(isToolUseBlock).map((u) => [u.id, u]));
    else for (const r of m.content.filter(isToolResultBlock)) pairs.push({ use: uses.get(r.tool_use_id), result: r });
  }
  return pairs;
}

export async function afterTools(ctx: Ctx): Promise<ModelResponse> {
  const turn = turnsOf(ctx.msgs).at(-1);
  const from = turn?.index ?? ctx.msgs.length - 1;
  const steps = turn ? await plan({ ...ctx, msgs: ctx.msgs.slice(0, from + 1) }) : [];
  const pairs = pairsSince(ctx, from);
  const pickStep = steps.filter(isTool).find((s) => s.pick);
  const cardCalled = pairs.some((p) => p.use && CARD_TOOLS.includes(p.use.name));
  const replies: string[] = [];
  for (const { use, result } of pairs) {
    if (!use) {
      replies.push(INTERRUPTED);
      continue;
    }
    const { text, data } = parseToolContent(result.content);
    if (result.is_error) {
      replies.push(errorReply(use.name, text));
      continue;
    }
    const details = use.name === 'get_account_details';
    if (details && pickStep?.pick && !cardCalled) {
      const next = pickCard(data ?? {}, pickStep.pick, ctx.tools);
      if (isTool(next)) return useTools(ctx.msgs, [next]);
      if (!pickStep.quiet) replies.push(successReply(use.name, data ?? {}, use.input, '', text));
      replies.push(next.text);
      continue;
    }
    if (details && pickStep?.quiet) continue; // the lookup only served to choose the card
    replies.push(successReply(use.name, data ?? {}, use.input, use.input.subject === HUMAN_SUBJECT ? 'human' : '', text));
  }
  for (const s of steps) if (!isTool(s)) replies.push(s.text);
  // A card deactivation waits for staff (maybe till morning): offer an urgent ticket too, unless the reply already asks something.
  const requested = pairs.some((p) => p.use?.name === 'request_card_deactivation' && !p.result.is_error);
  if (requested && !replies.some((r) => asks(pendingOf(r)))) replies.push(CONFIRM_URGENT_TICKET);
  return say(replies.join('\n\n') || INTERRUPTED);
}
