import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import { AppError, isAppError } from '../errors.js';
import type { Agent, ToolClient, Transcript, TranscriptPort, TurnInput, TurnResult } from './types.js';
import { isToolUseBlock, textOf, type ContentBlock, type ModelPort, type ModelTool } from './model.js';
import { addUsage, channelOf, contextText, withContext, zeroUsage } from './request.js';
import { systemPrompt } from './system-prompt.js';
import { listModelTools, runToolUse } from './tools.js';
import { trimToBudget } from './trim.js';
import { handoffReply, openHandoffTicket, type HandoffReason } from './handoff.js';
import {
  appendAssistant, appendUser, emptyTranscript, endsWithAnswer, markApplied, messagesOf, noticeBlock, pendingApprovalIdsOfLastTurn, repairTranscript,
} from './transcript.js';

export interface AgentDeps {
  model: ModelPort;
  transcripts: TranscriptPort;
  config: Config['agent'] & { maxTokens: number };
  log: Logger;
  /** Milliseconds clock (tests). */
  clock?: () => number;
}

const EMPTY_REPLY = "Sorry, I don't have an answer for that. Would you like me to open a ticket so a person can look into it?";
const CUT_OFF = 'Your previous response was cut off by the length limit, so its unfinished tool call was NOT run. Please continue with a shorter answer.';
const TOO_LONG = "Sorry, my answer got too long and was cut off. Could you ask again, a bit more specifically?";

export function createAgent(deps: AgentDeps): Agent {
  const { model, transcripts, config, log } = deps;
  const clock = deps.clock ?? Date.now;
  const toolLists = new WeakMap<ToolClient, Promise<ModelTool[]>>();

  function toolsFor(client: ToolClient): Promise<ModelTool[]> {
    let p = toolLists.get(client);
    if (!p) {
      p = listModelTools(client);
      toolLists.set(client, p);
      p.catch(() => toolLists.delete(client));
    }
    return p;
  }

  async function runTurn(input: TurnInput): Promise<TurnResult> {
    const stored = transcripts.load(input.threadKey);
    const t: Transcript = stored ? structuredClone(stored) : emptyTranscript(input.threadKey, input.channel);
    let msgs = messagesOf(t);
    const usage = zeroUsage();
    const approvalIds: string[] = [];
    const tlog = log.child({ threadKey: input.threadKey, messageId: input.messageId });

    if (t.appliedMessageIds?.includes(input.messageId)) {
      if (t.appliedMessageIds[t.appliedMessageIds.length - 1] !== input.messageId) {
        throw new AppError('conflict', 'This message was already answered', { messageId: input.messageId });
      }
      approvalIds.push(...pendingApprovalIdsOfLastTurn(msgs));
      if (endsWithAnswer(msgs)) {
        tlog.info('turn already answered; returning the stored reply');
        return { reply: textOf(msgs[msgs.length - 1]!.content) || EMPTY_REPLY, handoff: false, approvalIds, usage };
      }
    } else {
      repairTranscript(msgs);
      appendUser(msgs, [{ type: 'text', text: input.text }]);
      markApplied(t, input.messageId);
    }
    const repaired = repairTranscript(msgs);
    if (repaired.length) tlog.warn({ toolUseIds: repaired }, 'repaired interrupted tool calls (not run again)');

    const toolList = await toolsFor(input.tools);
    const available = new Set(toolList.map((x) => x.name));
    const system = systemPrompt(input.caller.kind);
    const started = clock();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), config.turnTimeoutMs);
    timer.unref?.();
    let persisted = false;
    let budget = config.contextTokens;

    const save = async () => {
      t.messages = msgs;
      await transcripts.save(structuredClone(t));
      persisted = true;
    };
    const finish = async (content: ContentBlock[], override?: string): Promise<TurnResult> => {
      const kept = content.filter((b) => !isToolUseBlock(b));
      const reply = override ?? (textOf(kept) || EMPTY_REPLY);
      appendAssistant(msgs, textOf(kept) ? kept : [...kept, { type: 'text', text: reply }]);
      await save();
      return { reply, handoff: false, approvalIds, usage };
    };
    const handoff = async (reason: HandoffReason): Promise<TurnResult> => {
      const ticketId = await openHandoffTicket(input.tools, available, { caller: input.caller, threadKey: input.threadKey, text: input.text, reason }, tlog);
      const reply = handoffReply(reason, ticketId);
      appendAssistant(msgs, [{ type: 'text', text: reply }]);
      await save();
      tlog.info({ reason, ticketId }, 'turn handed off to a person');
      return { reply, handoff: true, approvalIds, usage };
    };
    const deadlinePassed = () => controller.signal.aborted || clock() - started >= config.turnTimeoutMs;

    let rounds = 0;
    let continued = false;
    let contextRetried = false;
    try {
      for (;;) {
        if (rounds >= config.maxRounds) return await handoff('round_limit');
        if (deadlinePassed()) {
          if (!persisted) throw new AppError('unavailable', 'The model did not answer within the turn time', { threadKey: input.threadKey });
          return await handoff('turn_timeout');
        }
        const trimmed = trimToBudget(msgs, t.summary, budget);
        if (trimmed.dropped) tlog.info({ dropped: trimmed.dropped }, 'trimmed old exchanges from the transcript');
        msgs = trimmed.messages;
        t.summary = trimmed.summary;

        let res;
        try {
          res = await model.createMessage(
            { system, tools: toolList, messages: withContext(msgs, contextText(t.summary, input.caller)), max_tokens: config.maxTokens },
            { signal: controller.signal },
          );
        } catch (err) {
          if (isAppError(err, 'timeout') || controller.signal.aborted) {
            if (!persisted) throw new AppError('unavailable', 'The model did not answer within the turn time', { threadKey: input.threadKey }, { cause: err });
            return await handoff('turn_timeout');
          }
          tlog.warn({ code: isAppError(err) ? err.code : 'unknown', persisted }, 'model call failed');
          throw err;
        }
        rounds++;
        addUsage(usage, res.usage);
        addUsage(t.usage, res.usage);
        const content = Array.isArray(res.content) ? res.content : [];
        tlog.debug({ stopReason: res.stop_reason, round: rounds }, 'model answered');

        switch (res.stop_reason) {
          case 'tool_use': {
            const uses = content.filter(isToolUseBlock);
            if (!uses.length) return await finish(content);
            appendAssistant(msgs, content);
            await save(); // durable before any tool runs: a crash now is repaired, never re-run
            const results: ContentBlock[] = [];
            for (const use of uses) {
              const outcome = await runToolUse(input.tools, available, use, tlog);
              results.push(outcome.result);
              if (outcome.approvalId) approvalIds.push(outcome.approvalId);
            }
            appendUser(msgs, results);
            await save();
            continue;
          }
          case 'pause_turn':
            appendAssistant(msgs, content);
            continue;
          case 'max_tokens': {
            const last = content[content.length - 1];
            if (!last || !isToolUseBlock(last)) return await finish(content);
            const kept = content.filter((b) => !isToolUseBlock(b));
            tlog.warn({ tool: last.name }, 'tool call truncated by max_tokens; not run');
            if (continued) return await finish(kept, textOf(kept) || TOO_LONG);
            continued = true;
            appendAssistant(msgs, kept);
            appendUser(msgs, [noticeBlock(CUT_OFF)]);
            continue;
          }
          case 'refusal':
            return await handoff('refusal');
          case 'model_context_window_exceeded':
            if (contextRetried) return await handoff('context_window');
            contextRetried = true;
            budget = Math.max(256, Math.floor(budget / 2));
            rounds--;
            continue;
          default: // end_turn, stop_sequence, null
            return await finish(content);
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async function noteEvent(threadKey: string, text: string): Promise<void> {
    const stored = transcripts.load(threadKey);
    const t: Transcript = stored ? structuredClone(stored) : emptyTranscript(threadKey, channelOf(threadKey));
    const msgs = messagesOf(t);
    appendUser(msgs, [noticeBlock(text)]);
    t.messages = msgs;
    await transcripts.save(t);
  }

  return { runTurn, noteEvent };
}
