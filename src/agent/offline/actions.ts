/** The offline assistant's two kinds of step — say something, or call a tool — and the checks on which tools this caller has. */
import { createHash } from 'node:crypto';
import type { ModelMessage, ModelResponse, ToolUseBlock } from '../model.js';
import type { AddressReader } from './address.js';
import type { Understanding } from './understand.js';
import { STAFF_NOTE, UNVERIFIED } from './texts.js';

/** The names of the tools this caller has. */
export type ToolNames = ReadonlySet<string>;
export type Data = Record<string, unknown>;

/** What a card request does: deactivate it (staff approve), freeze it (at once), unfreeze it (staff approve). */
export type CardMode = 'block' | 'freeze' | 'unfreeze';
/** Why a card lookup was made: to pick the card for a card request (by brand when named). */
export interface CardPick { mode: CardMode; brand?: string | undefined; reason: string }

export type Step =
  | { kind: 'tool'; name: string; input: Data; pick?: CardPick; quiet?: boolean }
  | { kind: 'say'; text: string };
export type ToolStep = Extract<Step, { kind: 'tool' }>;

/** Everything a decision needs: the conversation, the caller's tools and the trained understanding. */
export interface Ctx {
  msgs: ModelMessage[];
  tools: ToolNames;
  nlu: Understanding;
  address: AddressReader;
  brands: Readonly<Record<string, string>>;
}

export const said = (text: string): Step => ({ kind: 'say', text });
export const tool = (name: string, input: Data = {}): ToolStep => ({ kind: 'tool', name, input });
export const isTool = (s: Step): s is ToolStep => s.kind === 'tool';

export function say(text: string): ModelResponse {
  return { content: [{ type: 'text', text }], stop_reason: 'end_turn', usage: { input_tokens: 0, output_tokens: 0 } };
}

/** tool_use blocks with ids derived from the conversation, so the same request gets the same ids. */
export function useTools(msgs: readonly ModelMessage[], steps: readonly ToolStep[]): ModelResponse {
  const seed = `${msgs.length}:${JSON.stringify(msgs[msgs.length - 1] ?? null)}`;
  const content: ToolUseBlock[] = steps.map((s, i) => ({
    type: 'tool_use', id: `toolu_offline_${createHash('sha256').update(`${seed}:${i}:${s.name}:${JSON.stringify(s.input)}`).digest('hex').slice(0, 16)}`, name: s.name, input: s.input,
  }));
  return { content, stop_reason: 'tool_use', usage: { input_tokens: 0, output_tokens: 0 } };
}

/** An unverified caller: no ticket-listing tool of either audience. */
export function isAnonymous(tools: ToolNames): boolean {
  return !tools.has('list_my_tickets') && !tools.has('list_tickets');
}

/** The reply when this caller lacks an account tool: unverified sender, or a staff member. */
export function missing(tools: ToolNames): Step {
  return said(tools.has('list_tickets') ? STAFF_NOTE : UNVERIFIED);
}

export function needs(tools: ToolNames, name: string, then: () => Step): Step {
  return tools.has(name) ? then() : missing(tools);
}
