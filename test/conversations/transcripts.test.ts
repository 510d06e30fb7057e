import { describe, expect, it } from 'vitest';
import { createTranscripts } from '../../src/conversations/transcripts.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { conversationSchema } from '../../src/store/schema.js';

const usage = { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheCreationTokens: 0 };

describe('transcripts over the store', () => {
  it('saves and loads a transcript as a valid conversation record, copies not references', async () => {
    const store = createMemoryStore();
    const t = createTranscripts({ store });
    expect(t.load('slack:1')).toBeUndefined();
    const messages: unknown[] = [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [{ type: 'text', text: 'hello' }] }];
    await t.save({ threadKey: 'slack:1', channel: 'slack', messages, usage, appliedMessageIds: ['m1'] });
    messages.push({ role: 'user', content: 'mutated after save' });
    const loaded = t.load('slack:1');
    expect(loaded).toMatchObject({ threadKey: 'slack:1', channel: 'slack', usage, appliedMessageIds: ['m1'] });
    expect(loaded?.messages).toHaveLength(2);
    expect(conversationSchema.safeParse(store.read().conversations['slack:1']).success).toBe(true);
  });

  it('caps stored messages, cutting only at a plain user turn so tool pairs stay whole', async () => {
    const store = createMemoryStore();
    const t = createTranscripts({ store, maxMessages: 5 });
    const messages: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      messages.push(
        { role: 'user', content: `q${i}` },
        { role: 'assistant', content: [{ type: 'tool_use', id: `tu${i}`, name: 'get_account_balance', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: `tu${i}`, content: 'ok' }] },
        { role: 'assistant', content: `a${i}` },
      );
    }
    await t.save({ threadKey: 'k', channel: 'slack', messages, usage });
    const loaded = t.load('k');
    expect(loaded?.messages).toEqual(messages.slice(12)); // q3 … a3: the last safe start within 5
    expect(loaded?.summary).toMatch(/12 older messages were removed/);
  });
});
