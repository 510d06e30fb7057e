import { describe, expect, it } from 'vitest';
import { createTranscripts } from '../../src/conversations/transcripts.js';
import { conversationSchema } from '../../src/store/schema.js';
import { reposFor } from '../helpers/test-engine.js';

const usage = { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheCreationTokens: 0 };

describe('transcripts over the conversations repository', () => {
  it('saves and loads a transcript as a valid conversation record, copies not references', async () => {
    const repos = await reposFor();
    const t = createTranscripts({ repos, clock: () => new Date('2026-01-01T00:00:00Z') });
    expect(await t.load('slack:1')).toBeUndefined();
    const messages: unknown[] = [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [{ type: 'text', text: 'hello' }] }];
    await t.save({ threadKey: 'slack:1', channel: 'slack', messages, usage: { ...usage, outputTokens: 5.7 }, appliedMessageIds: ['m1'] });
    messages.push({ role: 'user', content: 'mutated after save' });
    const loaded = await t.load('slack:1');
    expect(loaded).toMatchObject({ threadKey: 'slack:1', channel: 'slack', usage, appliedMessageIds: ['m1'] });
    expect(loaded?.messages).toHaveLength(2);
    loaded?.messages.push({ role: 'user', content: 'mutated after load' });
    expect((await t.load('slack:1'))?.messages).toHaveLength(2);
    const stored = await repos.conversations.get('slack:1');
    expect(conversationSchema.safeParse(stored).success).toBe(true);
    expect(stored).toMatchObject({ updatedAt: '2026-01-01T00:00:00.000Z', meta: { appliedMessageIds: ['m1'] } });
  });

  it('keeps the thread record and its other meta when the transcript is saved again', async () => {
    const repos = await reposFor();
    await repos.conversations.touch('email:<a@x>', { channel: 'email', callerKind: 'customer', customerId: 'cus_1', meta: { subject: 'Refund' }, at: '2026-01-01T00:00:00.000Z' });
    const t = createTranscripts({ repos, maxAppliedIds: 2 });
    await t.save({ threadKey: 'email:<a@x>', channel: 'email', messages: [{ role: 'user', content: 'hi' }], summary: 'earlier', usage, appliedMessageIds: ['m1', 'm2', 'm3'] });
    await t.save({ threadKey: 'email:<a@x>', channel: 'email', messages: [{ role: 'user', content: 'hi' }], usage, appliedMessageIds: ['m1', 'm2', 'm3'] });
    const stored = await repos.conversations.get('email:<a@x>');
    expect(stored).toMatchObject({ callerKind: 'customer', customerId: 'cus_1', meta: { subject: 'Refund', appliedMessageIds: ['m2', 'm3'] } });
    expect(stored?.summary).toBeUndefined();
  });

  it('caps stored messages, cutting only at a plain user turn so tool pairs stay whole', async () => {
    const repos = await reposFor();
    const t = createTranscripts({ repos, maxMessages: 5 });
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
    const loaded = await t.load('k');
    expect(loaded?.messages).toEqual(messages.slice(12)); // q3 … a3: the last safe start within 5
    expect(loaded?.summary).toMatch(/12 older messages were removed/);
  });
});
