import type { Logger } from '../config/logger.js';
import { handoffReply, openHandoffTicket, type HandoffReason } from './handoff.js';
import { isToolUseBlock, textOf, type ContentBlock } from './model.js';
import { appendAssistant } from './transcript.js';
import { EMPTY_REPLY, type TurnState } from './turn-state.js';
import type { TranscriptPort, TurnInput, TurnResult } from './types.js';

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
  /** Saves started by `saveSoon` and not yet waited for. */
  let unconfirmed: Array<Promise<void>> = [];

  function start(): Promise<void> {
    state.transcript.messages = state.messages;
    const written = transcripts.save(structuredClone(state.transcript)); // applied to the store now
    state.persisted = true;
    return written;
  }

  /** The saves started by `saveSoon` so far, handed over to be waited for. */
  function takeUnconfirmed(): Array<Promise<void>> {
    const earlier = unconfirmed;
    unconfirmed = [];
    return earlier;
  }

  /** Save; resolves once it, and every save started before it, is on disk (a failure of any surfaces here). */
  function save(): Promise<void> {
    const waits = [...takeUnconfirmed(), start()];
    return Promise.all(waits).then(() => undefined);
  }

  /** Save without waiting for the disk (the next `save` waits for it). */
  function saveSoon(): void {
    const written = start();
    written.catch(() => undefined); // surfaced by the next save, which awaits it
    unconfirmed.push(written);
  }

  /**
   * End with the model's text (an unfinished tool call in `content` is dropped, never run). The final save is
   * handed to the caller as `saved` (see TurnResult) instead of being waited for here.
   */
  async function finish(content: ContentBlock[], override?: string): Promise<TurnResult> {
    const kept = content.filter((b) => !isToolUseBlock(b));
    const reply = override ?? (textOf(kept) || EMPTY_REPLY);
    appendAssistant(state.messages, textOf(kept) ? kept : [...kept, { type: 'text', text: reply }]);
    const saved = save();
    saved.catch(() => undefined); // the caller awaits it
    return { reply, handoff: false, approvalIds: state.approvalIds, draftIds: state.draftIds, refusedToolCalls: state.refusedToolCalls, usage: state.usage, saved };
  }

  async function handoff(reason: HandoffReason): Promise<TurnResult> {
    // Everything saved so far on disk (or the turn fails here) before the hand-off opens a ticket.
    await Promise.all(takeUnconfirmed());
    const ticketId = await openHandoffTicket(input.tools, deps.available, { caller: input.caller, threadKey: input.threadKey, text: input.text, reason }, log);
    const reply = handoffReply(reason, ticketId);
    appendAssistant(state.messages, [{ type: 'text', text: reply }]);
    await save();
    log.info({ reason, ticketId }, 'turn handed off to a person');
    return { reply, handoff: true, approvalIds: state.approvalIds, draftIds: state.draftIds, refusedToolCalls: state.refusedToolCalls, usage: state.usage, saved: Promise.resolve() };
  }

  return { save, saveSoon, finish, handoff };
}

export type TurnRecord = ReturnType<typeof createTurnRecord>;
