import { isTextBlock, isToolResultBlock, isToolUseBlock, type ModelMessage } from './model.js';
import { NOTICE_PREFIX } from './transcript.js';

const SUMMARY_MAX_CHARS = 4000;
const SNIPPET = 160;

/** Rough token estimate (~4 characters per token). */
export function estimateTokens(value: unknown): number {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  return Math.ceil(s.length / 4);
}

/** Split into exchanges: each starts at a user message carrying no tool_result (so a tool_use never loses its result). */
export function splitExchanges(messages: ModelMessage[]): ModelMessage[][] {
  const groups: ModelMessage[][] = [];
  for (const m of messages) {
    const starts = m.role === 'user' && !m.content.some(isToolResultBlock);
    const current = groups[groups.length - 1];
    if (starts || !current) groups.push([m]);
    else current.push(m);
  }
  return groups;
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > SNIPPET ? `${one.slice(0, SNIPPET - 1)}…` : one;
}

function summarizeExchange(group: ModelMessage[]): string {
  const user = group[0]!;
  const texts = user.content.filter(isTextBlock).map((b) => b.text);
  const notices = texts.filter((t) => t.startsWith(NOTICE_PREFIX)).map((t) => t.slice(NOTICE_PREFIX.length).trim());
  const said = texts.filter((t) => !t.startsWith(NOTICE_PREFIX));
  const tools = [...new Set(group.flatMap((m) => m.content.filter(isToolUseBlock).map((b) => b.name)))];
  const lastAssistant = [...group].reverse().find((m) => m.role === 'assistant' && m.content.some(isTextBlock));
  const answer = lastAssistant ? lastAssistant.content.filter(isTextBlock).map((b) => b.text).join(' ') : '';
  const parts: string[] = [];
  if (notices.length) parts.push(`Notice: "${clip(notices.join(' '))}"`);
  if (said.length) parts.push(`Customer: "${clip(said.join(' '))}"`);
  if (tools.length) parts.push(`tools used: ${tools.join(', ')}`);
  if (answer) parts.push(`Assistant: "${clip(answer)}"`);
  return `- ${parts.join('; ')}`;
}

/** Keep the start of the thread and the most recent lines under the size cap. */
function capSummary(lines: string[], maxChars = SUMMARY_MAX_CHARS): string {
  let text = lines.join('\n');
  if (text.length <= maxChars) return text;
  const head = lines.slice(0, 3);
  const tail: string[] = [];
  let size = head.join('\n').length + 40;
  for (let i = lines.length - 1; i >= head.length; i--) {
    const line = lines[i]!;
    if (size + line.length + 1 > maxChars) break;
    tail.unshift(line);
    size += line.length + 1;
  }
  text = [...head, '- (more earlier exchanges omitted)', ...tail].join('\n');
  return text.slice(0, maxChars);
}

/**
 * Drop the oldest whole exchanges until messages + summary fit `budgetTokens` (the newest exchange is always kept),
 * adding a line per dropped exchange to the summary.
 */
export function trimToBudget(messages: ModelMessage[], summary: string | undefined, budgetTokens: number): { messages: ModelMessage[]; summary: string | undefined; dropped: number } {
  const groups = splitExchanges(messages);
  const lines = summary ? summary.split('\n').filter(Boolean) : [];
  let dropped = 0;
  const size = () => estimateTokens(groups.flat()) + estimateTokens(lines.join('\n'));
  while (groups.length > 1 && size() > budgetTokens) {
    lines.push(summarizeExchange(groups.shift()!));
    dropped++;
  }
  if (!dropped) return { messages, summary, dropped };
  return { messages: groups.flat(), summary: capSummary(lines), dropped };
}

/**
 * Fold a whole transcript into its summary (one line per exchange, appended to the existing summary, capped at
 * `maxChars`): what is kept when a thread's messages are dropped to bound memory. `undefined` when there is nothing.
 */
export function summarizeAll(messages: ModelMessage[], summary: string | undefined, maxChars = SUMMARY_MAX_CHARS): string | undefined {
  const lines = summary ? summary.split('\n').filter(Boolean) : [];
  for (const group of splitExchanges(messages)) lines.push(summarizeExchange(group));
  return lines.length ? capSummary(lines, maxChars) : undefined;
}
