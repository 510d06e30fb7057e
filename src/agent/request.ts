import type { Caller } from '../support/caller.js';
import type { Transcript, TurnResult } from './types.js';
import type { ModelMessage, ModelUsage } from './model.js';
import { NOTICE_PREFIX } from './transcript.js';

export type Usage = TurnResult['usage'];
export const zeroUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 });
export function addUsage(into: Usage, u: ModelUsage): void {
  into.inputTokens += u.input_tokens ?? 0;
  into.outputTokens += u.output_tokens ?? 0;
  into.cacheReadTokens += u.cache_read_input_tokens ?? 0;
  into.cacheCreationTokens += u.cache_creation_input_tokens ?? 0;
}

/** Per-thread context sent as the first user block (never in the system prompt, which must stay byte-stable). */
export function contextText(summary: string | undefined, caller: Caller): string | undefined {
  const parts: string[] = [];
  if (caller.kind === 'anonymous' && caller.sharedChannel) {
    parts.push('This conversation is in a shared Slack channel thread that other people can read and reply to. Do not discuss anyone\'s account, cards, transactions or password here, even if they are a customer: ask them to send the bot a direct message for that. General questions and tickets are fine here.');
  }
  if (caller.kind === 'anonymous') parts.push(caller.contact ? `The caller is unverified here; their contact email for tickets is ${caller.contact}.` : 'The caller is unverified and no contact email is known yet.');
  if (summary) parts.push(`Summary of earlier parts of this conversation (older messages were trimmed):\n${summary}`);
  return parts.length ? `${NOTICE_PREFIX} ${parts.join('\n')}` : undefined;
}

export function withContext(messages: ModelMessage[], context: string | undefined): ModelMessage[] {
  const [first, ...rest] = messages;
  if (!context || !first || first.role !== 'user') return messages;
  return [{ role: 'user', content: [...first.content.filter((b) => b.type === 'tool_result'), { type: 'text', text: context }, ...first.content.filter((b) => b.type !== 'tool_result')] }, ...rest];
}

export function channelOf(threadKey: string): Transcript['channel'] {
  const prefix = threadKey.split(':')[0];
  return prefix === 'slack' || prefix === 'email' || prefix === 'terminal' || prefix === 'phone' ? prefix : 'web';
}

