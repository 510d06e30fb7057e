import type { Logger } from '../config/logger.js';
import { AppError } from '../errors.js';
import { textOf, type ModelMessage } from './model.js';
import { zeroUsage, type Usage } from './request.js';
import { appendUser, draftIdsOfLastTurn, emptyTranscript, endsWithAnswer, markApplied, messagesOf, pendingApprovalIdsOfLastTurn, repairTranscript } from './transcript.js';
import type { Transcript, TranscriptPort, TurnInput, TurnResult } from './types.js';

export const EMPTY_REPLY = "Sorry, I don't have an answer for that. Would you like me to open a ticket so a person can look into it?";

/** One turn's working copy: the transcript and its messages (saved together), what the turn used and created. */
export interface TurnState {
  transcript: Transcript;
  messages: ModelMessage[];
  usage: Usage;
  approvalIds: string[];
  /** Drafts a staff session opened this turn (to show the person who must send them). */
  draftIds: string[];
  /** Tool calls not run this turn because they were over the per-response or per-turn limit. */
  refusedToolCalls: number;
  /** Whether the turn has saved anything yet (before that, an outage leaves the transcript unchanged). */
  persisted: boolean;
}

/** A private copy of the thread's stored transcript, or a new one. */
export async function loadTranscript(transcripts: TranscriptPort, threadKey: string, channel: Transcript['channel']): Promise<Transcript> {
  const stored = await transcripts.load(threadKey);
  return stored ? structuredClone(stored) : emptyTranscript(threadKey, channel);
}

/**
 * Open a turn: the customer's text is appended once per message id (a retry of the same message continues
 * where it stopped, or returns the stored reply when it was already answered). Interrupted tool calls are
 * repaired, never run again.
 */
export async function openTurn(transcripts: TranscriptPort, input: TurnInput, log: Logger): Promise<{ state: TurnState; answered?: TurnResult | undefined }> {
  const t = await loadTranscript(transcripts, input.threadKey, input.channel);
  const state: TurnState = { transcript: t, messages: messagesOf(t), usage: zeroUsage(), approvalIds: [], draftIds: [], refusedToolCalls: 0, persisted: false };
  const msgs = state.messages;
  if (t.appliedMessageIds?.includes(input.messageId)) {
    if (t.appliedMessageIds[t.appliedMessageIds.length - 1] !== input.messageId) {
      throw new AppError('conflict', 'This message was already answered', { messageId: input.messageId });
    }
    state.approvalIds.push(...pendingApprovalIdsOfLastTurn(msgs));
    state.draftIds.push(...draftIdsOfLastTurn(msgs));
    if (endsWithAnswer(msgs)) {
      log.info('turn already answered; returning the stored reply');
      const answered = { reply: textOf(msgs[msgs.length - 1]!.content) || EMPTY_REPLY, handoff: false, approvalIds: state.approvalIds, draftIds: state.draftIds, usage: state.usage };
      return { state, answered };
    }
  } else {
    repairTranscript(msgs);
    appendUser(msgs, [{ type: 'text', text: input.text }]);
    markApplied(t, input.messageId);
  }
  const repaired = repairTranscript(msgs);
  if (repaired.length) log.warn({ toolUseIds: repaired }, 'repaired interrupted tool calls (not run again)');
  return { state };
}
