/**
 * A turn ends with one commit: the turn's last transcript, the reply on the message's ledger entry and the thread's
 * record (who it is for, its outage over) are stored together or not at all.
 */
import { describe, expect, it } from 'vitest';
import type { Agent, TurnResult } from '../../src/agent/types.js';
import { silentLogger } from '../../src/config/logger.js';
import { channelPorts } from '../../src/conversations/delivery.js';
import { createConversations } from '../../src/conversations/conversations.js';
import { REPLIES } from '../../src/conversations/replies.js';
import { AppError } from '../../src/errors.js';
import { createMemoryRepositories } from '../../src/store/memory/index.js';
import type { Repositories } from '../../src/store/repos/index.js';
import { convConfig, fakeConnect, msg, recordingDelivery, recordingStaff } from './fakes.js';

const usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };

/** An agent that ends every turn through `storeAnswer`, as the real one does. */
const answeringAgent: Agent = {
  async runTurn(input) {
    const transcript = { threadKey: input.threadKey, channel: input.channel, usage, appliedMessageIds: [input.messageId],
      messages: [{ role: 'user', content: input.text }, { role: 'assistant', content: `answer: ${input.text}` }] };
    const result: TurnResult = { reply: `answer: ${input.text}`, handoff: false, approvalIds: [], usage };
    if (!input.storeAnswer) throw new Error('conversations must hand the agent storeAnswer');
    await input.storeAnswer(transcript, result);
    return result;
  },
  async noteEvent() {},
};

/** The repositories, with the ledger write inside the next `failures` transactions failing: the commit breaks after the transcript was written in it. */
function failingReplyWrites(repos: Repositories, failures: { left: number }): Repositories {
  return {
    ...repos,
    transaction: (fn) => repos.transaction((tx) => fn(failures.left-- > 0
      ? { ...tx, ledger: { ...tx.ledger, update: async () => { throw new AppError('store_io', 'the disk went away'); } } }
      : tx)),
  };
}

function setup(repos: Repositories) {
  const slack = recordingDelivery();
  const conv = createConversations({
    repos, agent: answeringAgent, connectTools: fakeConnect(), staff: recordingStaff(), config: convConfig(), log: silentLogger(),
    channels: channelPorts({ slack }, { slack: { resolve: async () => ({ kind: 'customer', customerId: 'cus_001' }) } }),
    random: () => 0.5, deliveryRetryMs: 1, sweepEveryMs: 0,
  });
  return { slack, conv };
}

describe('the commit that ends a turn', () => {
  it('stores the transcript, the reply and who the thread is for together, and clears a held outage', async () => {
    const repos = createMemoryRepositories();
    await repos.conversations.touch('slack:T:C:1', { channel: 'slack', callerKind: 'anonymous', meta: { holdingSentAt: '2026-01-01T00:00:00.000Z' }, at: '2026-01-01T00:00:00.000Z' });
    const { slack, conv } = setup(repos);
    await conv.start();
    const m = msg('slack:T:C:1', 'hello', { meta: { slackChannel: 'C' } });
    await conv.handle(m);
    await conv.drain();
    expect(slack.sent.map((s) => s.reply.text)).toEqual(['answer: hello']);
    const c = await repos.conversations.get('slack:T:C:1');
    expect(c).toMatchObject({ callerKind: 'customer', customerId: 'cus_001', meta: { slackChannel: 'C', appliedMessageIds: [m.id] } });
    expect(c?.meta['holdingSentAt']).toBeUndefined();
    expect(c?.messages).toHaveLength(2);
    expect((await repos.ledger.get(m.id))?.status).toBe('done');
    await conv.stop();
  });

  it('keeps neither the transcript nor the reply when the commit fails, and never delivers that reply', async () => {
    const repos = createMemoryRepositories();
    const { slack, conv } = setup(failingReplyWrites(repos, { left: 1 }));
    await conv.start();
    const m = msg('slack:T:C:2', 'hello');
    await conv.handle(m);
    await conv.drain();
    expect(slack.sent.map((s) => s.reply.text)).toEqual([REPLIES.apology]);
    const c = await repos.conversations.get('slack:T:C:2');
    expect(c?.messages ?? []).toEqual([]); // the thread is known (its record), its transcript holds nothing of the turn
    expect(c).toMatchObject({ callerKind: 'customer', customerId: 'cus_001' });
    expect((await repos.ledger.get(m.id))?.status).toBe('failed');
    await conv.stop();
  });
});
