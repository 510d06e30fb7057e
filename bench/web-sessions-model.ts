/**
 * The web-sessions benchmark's model: the fake Anthropic Messages API (test/helpers/fake-anthropic.ts) answering every
 * request after `delayMs`, streamed (server-sent events, text in 5-character pieces, as the SDK's `messages.stream`
 * asks), and timing each request from its arrival to the end of its answer. A message whose text asks for the balance
 * gets a `get_account_balance` tool call first (two model calls in that turn). Requests are told apart by the tag
 * the benchmark puts in each customer message (`[ws s12 m2]`).
 */
import { lastUserText, message, type RecordedRequest, startFakeAnthropic, toolResultsOf } from '../test/helpers/fake-anthropic.js';

const TAG = /\[ws (s\d+ m\d+)\]/;
const REPLY = 'Thanks for writing in. I have looked at your question and here is what I found: everything on your ' +
  'account looks in order, and nothing needs your attention today. Is there anything else I can help you with?';

export interface BenchModel {
  url: string;
  /** Model calls of a tagged message and the time spent answering them (ms). */
  spent(tag: string): { calls: number; ms: number; unanswered: number };
  close(): Promise<void>;
}

export async function startBenchModel(delayMs: number): Promise<BenchModel> {
  const byTag = new Map<string, RecordedRequest[]>();
  const fake = await startFakeAnthropic({
    fallback: (req) => {
      const tag = TAG.exec(lastUserText(req))?.[1] ?? 'untagged';
      byTag.set(tag, [...(byTag.get(tag) ?? []), req]);
      const wantsTool = /balance/.test(lastUserText(req)) && toolResultsOf(req).length === 0;
      return wantsTool
        ? message([{ type: 'tool_use', id: `toolu_${tag.replace(' ', '_')}`, name: 'get_account_balance', input: {} }], 'tool_use', undefined, delayMs)
        : message([{ type: 'text', text: REPLY }], 'end_turn', undefined, delayMs);
    },
  });
  return {
    url: fake.url,
    spent(tag) {
      const reqs = byTag.get(tag) ?? [];
      const answered = reqs.filter((r) => r.answeredAt !== undefined);
      return { calls: reqs.length, ms: answered.reduce((s, r) => s + (r.answeredAt! - r.receivedAt), 0), unanswered: reqs.length - answered.length };
    },
    close: () => fake.close(),
  };
}
