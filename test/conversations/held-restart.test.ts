import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { createConversations } from '../../src/conversations/conversations.js';
import { channelPorts } from '../../src/conversations/delivery.js';
import { leftQueued } from '../../src/conversations/ledger.js';
import { createTranscripts } from '../../src/conversations/transcripts.js';
import { AppError } from '../../src/errors.js';
import { convConfig, fakeAgent, fakeConnect, msg, recordingDelivery, until } from './fakes.js';
import { reposFor } from '../helpers/test-engine.js';

describe('a message held through a model outage, across a restart', () => {
  it('is stored redacted while held, and answered once by the next process, without a second holding reply', async () => {
    const repos = await reposFor();
    const a = fakeAgent({ transcripts: createTranscripts({ repos }), behave: async () => { throw new AppError('unavailable', 'overloaded'); } });
    const d1 = recordingDelivery();
    const c1 = createConversations({ repos, agent: a.agent, connectTools: fakeConnect(), channels: channelPorts({ slack: d1 }), config: convConfig({ retryBaseMs: 10_000, retryMaxMs: 10_000 }), log: silentLogger(), sweepEveryMs: 0 });
    await c1.start();
    const m = msg('slack:T:C:held', 'my password is Sup3rS3cret! where is my refund?');
    expect(await c1.handle(m)).toEqual({ accepted: true });
    await until(() => d1.sent.some((s) => s.reply.kind === 'holding'));
    await c1.stop();

    const held = await repos.ledger.get(m.id);
    expect(held).toMatchObject({ status: 'queued', reason: 'model unavailable', message: { attempts: 1 } });
    const thread = await repos.conversations.get(m.threadKey);
    expect(thread?.meta['holdingSentAt']).toBeDefined();
    expect(JSON.stringify([held, thread])).not.toContain('Sup3rS3cret!');

    const b = fakeAgent({ transcripts: createTranscripts({ repos }) });
    const d2 = recordingDelivery();
    const c2 = createConversations({ repos, agent: b.agent, connectTools: fakeConnect(), channels: channelPorts({ slack: d2 }), config: convConfig(), log: silentLogger(), sweepEveryMs: 0 });
    await c2.start();
    await c2.drain();
    expect(d2.sent.filter((s) => s.reply.kind === 'reply').map((s) => s.reply.text)).toEqual(['echo: my password is [password removed] where is my refund?']);
    expect(d2.sent.some((s) => s.reply.kind === 'holding')).toBe(false); // the holding reply was already sent once
    expect(await repos.ledger.get(m.id)).toMatchObject({ status: 'done' });
    expect((await repos.conversations.get(m.threadKey))?.meta['holdingSentAt']).toBeUndefined();
    await c2.stop();
  });

  it('marks a queued entry whose message cannot be read as failed on start, and runs the others in arrival order', async () => {
    const repos = await reposFor();
    const at = new Date().toISOString();
    const pending = (text: string) => {
      const m = msg('slack:T:C:x', text);
      return { id: m.id, threadKey: m.threadKey, channel: 'slack' as const, receivedAt: at, status: 'queued' as const, updatedAt: at, message: { ...m, redactions: [], attempts: 0 } };
    };
    const entries = [pending('one'), { ...pending('x'), id: 'broken', message: { id: 'broken' } }, pending('two'), pending('three')];
    for (const e of entries) await repos.ledger.claim(e);
    await repos.ledger.update(entries[2]!.id, { status: 'done' }, at);
    const found = await leftQueued(repos.ledger, 2); // read two at a time
    expect(found).toEqual({ ok: [entries[0]!.message, entries[3]!.message], bad: ['broken'] });

    const d = recordingDelivery();
    const conv = createConversations({ repos, agent: fakeAgent().agent, connectTools: fakeConnect(), channels: channelPorts({ slack: d }), config: convConfig(), log: silentLogger(), sweepEveryMs: 0 });
    await conv.start();
    await conv.drain();
    expect(await repos.ledger.get('broken')).toMatchObject({ status: 'failed', reason: 'queued message unreadable after restart' });
    expect(d.sent.map((s) => s.reply.text)).toEqual(['echo: one', 'echo: three']);
    await conv.stop();
  });
});
