import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { Agent, TranscriptPort, TurnInput, TurnResult } from './types.js';
import type { ModelPort } from './model.js';
import { isAppError } from '../errors.js';
import { channelOf } from './request.js';
import { systemPrompt } from './system-prompt.js';
import { createToolListCache } from './tool-list-cache.js';
import { appendUser, messagesOf, noticeBlock } from './transcript.js';
import { createTurnEvents, type TurnEvents } from './turn-events.js';
import { runTurnLoop } from './turn-loop.js';
import { createTurnRecord } from './turn-record.js';
import { loadTranscript, openTurn } from './turn-state.js';

export interface AgentDeps {
  model: ModelPort;
  transcripts: TranscriptPort;
  config: Config['agent'] & { maxTokens: number };
  log: Logger;
  /** Milliseconds clock (tests). */
  clock?: () => number;
}

export function createAgent(deps: AgentDeps): Agent {
  const { model, transcripts, config, log } = deps;
  const clock = deps.clock ?? Date.now;
  const toolsFor = createToolListCache();

  async function runTurn(input: TurnInput): Promise<TurnResult> {
    const tlog = log.child({ threadKey: input.threadKey, messageId: input.messageId });
    const events = createTurnEvents(input.onEvent, tlog);
    try {
      const result = await turn(input, events, tlog);
      events.done(result.handoff);
      return result;
    } catch (err) {
      events.failed(isAppError(err) ? err.code : 'internal');
      throw err;
    }
  }

  async function turn(input: TurnInput, events: TurnEvents, tlog: Logger): Promise<TurnResult> {
    const { state, answered } = await openTurn(transcripts, input, tlog);
    if (answered) return answered;
    const { tools, readOnly } = await toolsFor(input.tools, input.caller.kind);
    const available = new Set(tools.map((x) => x.name));
    const record = createTurnRecord({ state, transcripts, input, available, log: tlog });
    return runTurnLoop({ model, config, clock, input, system: systemPrompt(input.caller.kind), tools, available, readOnly, state, record, events, log: tlog });
  }

  async function noteEvent(threadKey: string, text: string): Promise<void> {
    const t = await loadTranscript(transcripts, threadKey, channelOf(threadKey));
    const msgs = messagesOf(t);
    appendUser(msgs, [noticeBlock(text)]);
    t.messages = msgs;
    await transcripts.save(t);
  }

  return { runTurn, noteEvent };
}
