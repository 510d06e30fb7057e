import type { Logger } from '../config/logger.js';
import { handoffReply, openHandoffTicket, type HandoffReason } from './handoff.js';
import { isToolUseBlock, textOf, type ContentBlock } from './model.js';
import { appendAssistant } from './transcript.js';
import { EMPTY_REPLY, type TurnState } from './turn-state.js';
import type { Transcript, TranscriptPort, TurnInput, TurnResult } from './types.js';

export interface TurnRecordDeps {
  state: TurnState;
  transcripts: TranscriptPort;
  input: TurnInput;
  /** The tools this caller has (a hand-off opens a ticket only when create_ticket is among them). */
  available: ReadonlySet<string>;
  log: Logger;
}

/** Saving a turn's progress and ending it: with the model's answer, or by handing the thread to a person. */
export function createTurnRecord(deps: TurnRecordDeps) {
  const { state, transcripts, input, log } = deps;

  /** The transcript as it is now, to store (from here on a failure may have stored part of the turn: never an outage retry). */
  function snapshot(): Transcript {
    state.transcript.messages = state.messages;
    state.persisted = true;
    return structuredClone(state.transcript);
  }

  /** Store the turn's transcript as it is now; resolves once it is stored (a failure fails the turn). */
  async function save(): Promise<void> {
    await transcripts.save(snapshot());
  }

  /** Store the transcript with the turn's end (through the caller's `storeAnswer` when it has one), then return it. */
  async function end(reply: string, handoff: boolean): Promise<TurnResult> {
    const r: TurnResult = { reply, handoff, approvalIds: state.approvalIds, draftIds: state.draftIds, refusedToolCalls: state.refusedToolCalls, usage: state.usage };
    const t = snapshot();
    await (input.storeAnswer ? input.storeAnswer(t, r) : transcripts.save(t));
    return r;
  }

  /** End with the model's text (an unfinished tool call in `content` is dropped, never run), stored before it is returned. */
  async function finish(content: ContentBlock[], override?: string): Promise<TurnResult> {
    const kept = content.filter((b) => !isToolUseBlock(b));
    const reply = override ?? (textOf(kept) || EMPTY_REPLY);
    appendAssistant(state.messages, textOf(kept) ? kept : [...kept, { type: 'text', text: reply }]);
    return end(reply, false);
  }

  async function handoff(reason: HandoffReason): Promise<TurnResult> {
    const ticketId = await openHandoffTicket(input.tools, deps.available, { caller: input.caller, threadKey: input.threadKey, text: input.text, reason }, log);
    const reply = handoffReply(reason, ticketId);
    appendAssistant(state.messages, [{ type: 'text', text: reply }]);
    const r = await end(reply, true);
    log.info({ reason, ticketId }, 'turn handed off to a person');
    return r;
  }

  return { save, finish, handoff };
}

export type TurnRecord = ReturnType<typeof createTurnRecord>;
