import { describe, expect, it } from 'vitest';
import type { ModelMessage } from '../../src/agent/model.js';
import { appendUser, INTERRUPTED, repairTranscript } from '../../src/agent/transcript.js';
import { estimateTokens, splitExchanges, trimToBudget } from '../../src/agent/trim.js';

const user = (text: string): ModelMessage => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string): ModelMessage => ({ role: 'assistant', content: [{ type: 'text', text }] });
const use = (id: string, name = 'get_account_balance'): ModelMessage => ({ role: 'assistant', content: [{ type: 'tool_use', id, name, input: {} }] });
const result = (id: string, content = 'ok'): ModelMessage => ({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content }] });

function checkPairs(msgs: ModelMessage[]) {
  expect(msgs[0]!.role).toBe('user');
  msgs.forEach((m, i) => {
    if (i) expect(m.role).not.toBe(msgs[i - 1]!.role);
    for (const b of m.content) {
      if (b.type === 'tool_use') {
        const next = msgs[i + 1]!;
        expect(next.content.some((x) => x.type === 'tool_result' && (x as { tool_use_id: string }).tool_use_id === (b as { id: string }).id)).toBe(true);
      }
      if (b.type === 'tool_result') {
        const prev = msgs[i - 1]!;
        expect(prev.content.some((x) => x.type === 'tool_use' && (x as { id: string }).id === (b as { tool_use_id: string }).tool_use_id)).toBe(true);
      }
    }
  });
}

describe('transcript repair', () => {
  it('adds an interrupted error result for a dangling tool_use, before any later user text', () => {
    const msgs: ModelMessage[] = [user('hi'), { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'x', input: {} }, { type: 'tool_use', id: 'b', name: 'y', input: {} }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'done' }, { type: 'text', text: 'later' }] }];
    expect(repairTranscript(msgs)).toEqual(['b']);
    expect(msgs[2]!.content.map((b) => b.type)).toEqual(['tool_result', 'tool_result', 'text']);
    expect(msgs[2]!.content[1]).toEqual({ type: 'tool_result', tool_use_id: 'b', content: INTERRUPTED, is_error: true });
    expect(repairTranscript(msgs)).toEqual([]);
    checkPairs(msgs);
  });

  it('inserts a user message when the transcript ends on a tool_use', () => {
    const msgs = [user('hi'), use('z')];
    repairTranscript(msgs);
    appendUser(msgs, [{ type: 'text', text: 'next' }]);
    expect(msgs).toHaveLength(3);
    expect(msgs[2]!.content.map((b) => b.type)).toEqual(['tool_result', 'text']);
    checkPairs(msgs);
  });
});

describe('trimming', () => {
  const long = (s: string) => `${s} ${'lorem ipsum '.repeat(40)}`;
  const thread: ModelMessage[] = [
    user(long('first question about my card')), use('t1', 'request_card_deactivation'), result('t1', long('pending')), assistant(long('sent for approval')),
    user(long('second question')), assistant(long('second answer')),
    user(long('third question')), use('t3'), result('t3'), assistant(long('third answer')),
    user('latest'),
  ];

  it('splits exchanges at user messages that carry no tool_result', () => {
    expect(splitExchanges(thread).map((g) => g.length)).toEqual([4, 2, 4, 1]);
  });

  it('drops oldest whole exchanges to fit, never splitting a tool pair, and summarises them', () => {
    const budget = estimateTokens(thread) - 100;
    const out = trimToBudget(structuredClone(thread), undefined, budget);
    expect(out.dropped).toBe(1);
    expect(out.messages).toHaveLength(thread.length - 4);
    checkPairs(out.messages);
    expect(out.summary).toContain('first question about my card');
    expect(out.summary).toContain('request_card_deactivation');
    expect(estimateTokens(out.messages) + estimateTokens(out.summary)).toBeLessThanOrEqual(budget);
  });

  it('keeps the newest exchange even when over budget, and leaves small transcripts alone', () => {
    const out = trimToBudget(structuredClone(thread), 'earlier: - x', 10);
    expect(out.messages).toEqual([user('latest')]);
    expect(out.summary!.split('\n')[0]).toBe('earlier: - x');
    const same = trimToBudget(thread, undefined, 1_000_000);
    expect(same.messages).toBe(thread);
    expect(same.dropped).toBe(0);
  });
});
