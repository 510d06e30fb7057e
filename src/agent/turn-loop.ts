import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import { AppError, isAppError } from '../errors.js';
import { isToolUseBlock, textOf, type ContentBlock, type ModelPort, type ModelResponse, type ModelTool, type TextBlock } from './model.js';
import { addUsage, contextText, withContext } from './request.js';
import { createToolBudget, DEFAULT_TOOL_LIMITS } from './tool-budget.js';
import { runToolUse } from './tools.js';
import { appendAssistant, appendUser, noticeBlock } from './transcript.js';
import { trimToBudget } from './trim.js';
import type { TurnEvents } from './turn-events.js';
import type { TurnRecord } from './turn-record.js';
import type { TurnState } from './turn-state.js';
import type { TurnInput, TurnResult } from './types.js';

const CUT_OFF = 'Your previous response was cut off by the length limit, so its unfinished tool call was NOT run. Please continue with a shorter answer.';
const TOO_LONG = "Sorry, my answer got too long and was cut off. Could you ask again, a bit more specifically?";

export interface TurnLoopDeps {
  model: ModelPort;
  config: Config['agent'] & { maxTokens: number; maxToolCallsPerResponse?: number | undefined; maxToolCallsPerTurn?: number | undefined };
  /** Milliseconds clock. */
  clock: () => number;
  input: TurnInput;
  system: TextBlock[];
  tools: ModelTool[];
  available: ReadonlySet<string>;
  /** Tools whose call changes nothing (MCP `readOnlyHint`). */
  readOnly: ReadonlySet<string>;
  state: TurnState;
  record: TurnRecord;
  /** Where the turn reports text as the model writes it, tools starting and finishing. */
  events: TurnEvents;
  log: Logger;
}

/**
 * The model ↔ tools rounds of one turn, within the round limit and the turn time: a round that runs a tool with
 * effects is stored before the tool runs and with its results before the model is asked again; a round of read-only
 * tools only (or of calls that are refused) is stored with the next save, at the latest with the answer: a crash
 * before that runs the turn again from the customer's message, and running reads again changes nothing. The loop
 * ends with the model's answer (stored before it is returned) or a hand-off to a person.
 */
export async function runTurnLoop(deps: TurnLoopDeps): Promise<TurnResult> {
  const { model, config, clock, input, state, log, events } = deps;
  // Whatever the model wrote before a hand-off is not the reply: it is retracted first.
  const record: TurnRecord = {
    ...deps.record,
    handoff: (reason) => {
      events.retract();
      return deps.record.handoff(reason);
    },
  };
  const started = clock();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), config.turnTimeoutMs);
  timer.unref?.();
  const deadlinePassed = () => controller.signal.aborted || clock() - started >= config.turnTimeoutMs;
  /** Whether a tool ran this turn (stored or not yet: read-only rounds are stored with the answer). */
  let ranTools = false;
  /** Out of time: nothing saved and no tool run yet → an outage (safe to retry); else hand the thread to a person. */
  const timeUp = async (options?: { cause: unknown }): Promise<TurnResult> => {
    if (!state.persisted && !ranTools) throw new AppError('unavailable', 'The model did not answer within the turn time', { threadKey: input.threadKey }, options);
    return record.handoff('turn_timeout');
  };
  let budget = config.contextTokens;
  const tools = createToolBudget({
    perResponse: config.maxToolCallsPerResponse ?? DEFAULT_TOOL_LIMITS.perResponse,
    perTurn: config.maxToolCallsPerTurn ?? DEFAULT_TOOL_LIMITS.perTurn,
  });
  let rounds = 0;
  let continued = false;
  let contextRetried = false;
  try {
    for (;;) {
      if (rounds >= config.maxRounds) return await record.handoff('round_limit');
      if (deadlinePassed()) return await timeUp();
      const trimmed = trimToBudget(state.messages, state.transcript.summary, budget);
      if (trimmed.dropped) log.info({ dropped: trimmed.dropped }, 'trimmed old exchanges from the transcript');
      state.messages = trimmed.messages;
      state.transcript.summary = trimmed.summary;

      let res: ModelResponse;
      try {
        res = await model.createMessage(
          { system: deps.system, tools: deps.tools, messages: withContext(state.messages, contextText(state.transcript.summary, input.caller)), max_tokens: config.maxTokens },
          { signal: controller.signal, onEvent: events.onModelEvent },
        );
      } catch (err) {
        if (isAppError(err, 'timeout') || controller.signal.aborted) return await timeUp({ cause: err });
        log.warn({ code: isAppError(err) ? err.code : 'unknown', persisted: state.persisted }, 'model call failed');
        throw err;
      }
      rounds++;
      addUsage(state.usage, res.usage);
      addUsage(state.transcript.usage, res.usage);
      const content = Array.isArray(res.content) ? res.content : [];
      log.debug({ stopReason: res.stop_reason, round: rounds }, 'model answered');

      switch (res.stop_reason) {
        case 'tool_use': {
          const uses = content.filter(isToolUseBlock);
          if (!uses.length) return await record.finish(content);
          events.retract(); // text before a tool call is not the reply
          appendAssistant(state.messages, content);
          const admitted = tools.admit(uses);
          const effects = uses.some((u, i) => !admitted[i] && deps.available.has(u.name) && !deps.readOnly.has(u.name));
          // A tool with effects: stored before (and after) the tools run, so a crash is repaired, never re-run.
          if (effects) await record.save();
          const results: ContentBlock[] = [];
          for (const [i, use] of uses.entries()) {
            const refusal = admitted[i];
            if (refusal) {
              results.push(refusal);
              continue;
            }
            events.working(use.name);
            const outcome = await runToolUse(input.tools, deps.available, use, log);
            ranTools ||= outcome.ran;
            events.toolDone(use.name, !outcome.result.is_error);
            results.push(outcome.result);
            if (outcome.approvalId) state.approvalIds.push(outcome.approvalId);
            if (outcome.draftId) state.draftIds.push(outcome.draftId);
          }
          state.refusedToolCalls = tools.refused();
          if (admitted.some(Boolean)) log.warn({ asked: uses.length, refused: admitted.filter(Boolean).length, round: rounds }, 'tool calls over the limit were not run');
          appendUser(state.messages, results);
          if (effects) await record.save();
          continue;
        }
        case 'pause_turn':
          events.retract();
          appendAssistant(state.messages, content);
          continue;
        case 'max_tokens': {
          const last = content[content.length - 1];
          if (!last || !isToolUseBlock(last)) return await record.finish(content);
          const kept = content.filter((b) => !isToolUseBlock(b));
          log.warn({ tool: last.name }, 'tool call truncated by max_tokens; not run');
          if (continued) return await record.finish(kept, textOf(kept) || TOO_LONG);
          continued = true;
          events.retract();
          appendAssistant(state.messages, kept);
          appendUser(state.messages, [noticeBlock(CUT_OFF)]);
          continue;
        }
        case 'refusal':
          return await record.handoff('refusal');
        case 'model_context_window_exceeded':
          if (contextRetried) return await record.handoff('context_window');
          contextRetried = true;
          events.retract();
          budget = Math.max(256, Math.floor(budget / 2));
          rounds--;
          continue;
        default: // end_turn, stop_sequence, null
          return await record.finish(content);
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
