import type { Transcript } from './types.js';
import { isTextBlock, isToolResultBlock, isToolUseBlock, type ContentBlock, type ModelMessage, type TextBlock } from './model.js';
import { unwrapToolData } from './tools.js';

export const NOTICE_PREFIX = '[System notice]';
export const INTERRUPTED = 'interrupted; not run again — check state before retrying';
const MAX_APPLIED_IDS = 200;

export function emptyTranscript(threadKey: string, channel: Transcript['channel']): Transcript {
  return { threadKey, channel, messages: [], usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 }, appliedMessageIds: [] };
}

/** Stored messages are kept loose (`unknown[]`); keep only well-formed ones. */
export function messagesOf(t: Transcript): ModelMessage[] {
  return t.messages.filter((m): m is ModelMessage => {
    const mm = m as Partial<ModelMessage> | null;
    return !!mm && (mm.role === 'user' || mm.role === 'assistant') && Array.isArray(mm.content);
  });
}

export function noticeBlock(text: string): TextBlock {
  return { type: 'text', text: `${NOTICE_PREFIX} ${text}` };
}

/** Append user-role blocks, merging into a trailing user message so roles keep alternating. tool_results stay first. */
export function appendUser(messages: ModelMessage[], blocks: ContentBlock[]): void {
  const last = messages[messages.length - 1];
  if (last && last.role === 'user') {
    const results = [...last.content.filter(isToolResultBlock), ...blocks.filter(isToolResultBlock)];
    const rest = [...last.content.filter((b) => !isToolResultBlock(b)), ...blocks.filter((b) => !isToolResultBlock(b))];
    last.content = [...results, ...rest];
  } else {
    messages.push({ role: 'user', content: [...blocks] });
  }
}

/** Append assistant blocks, merging into a trailing assistant message. */
export function appendAssistant(messages: ModelMessage[], blocks: ContentBlock[]): void {
  if (!blocks.length) return;
  const last = messages[messages.length - 1];
  if (last && last.role === 'assistant') last.content = [...last.content, ...blocks];
  else messages.push({ role: 'assistant', content: [...blocks] });
}

/**
 * Give every tool_use an answering tool_result in the next user message. A tool_use left without one
 * (the process stopped mid-turn) gets a synthetic error result: the tool is NOT run again.
 * Returns the ids that were repaired.
 */
export function repairTranscript(messages: ModelMessage[]): string[] {
  const repaired: string[] = [];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role !== 'assistant') continue;
    const ids = m.content.filter(isToolUseBlock).map((b) => b.id);
    if (!ids.length) continue;
    const next = messages[i + 1];
    const answered = new Set(next && next.role === 'user' ? next.content.filter(isToolResultBlock).map((b) => b.tool_use_id) : []);
    const missing = ids.filter((id) => !answered.has(id));
    if (!missing.length) continue;
    const synthetic: ContentBlock[] = missing.map((id) => ({ type: 'tool_result', tool_use_id: id, content: INTERRUPTED, is_error: true }));
    if (next && next.role === 'user') {
      next.content = [...next.content.filter(isToolResultBlock), ...synthetic, ...next.content.filter((b) => !isToolResultBlock(b))];
    } else {
      messages.splice(i + 1, 0, { role: 'user', content: synthetic });
    }
    repaired.push(...missing);
  }
  return repaired;
}

/** Record an inbound message id as applied (bounded list). */
export function markApplied(t: Transcript, messageId: string): void {
  const ids = [...(t.appliedMessageIds ?? []), messageId];
  t.appliedMessageIds = ids.slice(-MAX_APPLIED_IDS);
}

/** True when the last assistant message is a finished answer (no tool call waiting). */
export function endsWithAnswer(messages: ModelMessage[]): boolean {
  const last = messages[messages.length - 1];
  return !!last && last.role === 'assistant' && !last.content.some(isToolUseBlock);
}

/** Approval ids found in the tool results of the current turn (since the last customer text). For resumed turns. */
export function pendingApprovalIdsOfLastTurn(messages: ModelMessage[]): string[] {
  return idsOfLastTurn(messages, 'pending_approval', 'approvalId');
}

/** Drafts opened by tool results of the last turn (a resumed staff turn still shows them). */
export function draftIdsOfLastTurn(messages: ModelMessage[]): string[] {
  return idsOfLastTurn(messages, 'draft', 'draftId');
}

function idsOfLastTurn(messages: ModelMessage[], status: string, field: string): string[] {
  let start = messages.length - 1;
  while (start >= 0) {
    const m = messages[start]!;
    if (m.role === 'user' && m.content.some((b) => isTextBlock(b) && !b.text.startsWith(NOTICE_PREFIX))) break;
    start--;
  }
  const ids: string[] = [];
  for (const m of messages.slice(Math.max(start, 0))) {
    for (const b of m.content) {
      if (!isToolResultBlock(b) || b.is_error || typeof b.content !== 'string') continue;
      const json = unwrapToolData(b.content).split('\n').pop() ?? '';
      try {
        const data = JSON.parse(json) as Record<string, unknown>;
        const id = data[field];
        if (data.status === status && typeof id === 'string') ids.push(id);
      } catch {
        /* not structured */
      }
    }
  }
  return ids;
}
