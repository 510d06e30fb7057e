import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { createConversations } from '../../src/conversations/conversations.js';
import { createTranscripts } from '../../src/conversations/transcripts.js';
import { AppError } from '../../src/errors.js';
import { openFileStore } from '../../src/store/file-store.js';
import { convConfig, fakeAgent, fakeConnect, msg, recordingDelivery } from './fakes.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('conversations over the JSON file store', () => {
  it('a message queued when the process stopped (model down) is answered once after reopening the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpline-conv-'));
    dirs.push(dir);
    const file = join(dir, 'db.json');

    const store1 = await openFileStore({ file });
    const a = fakeAgent({ transcripts: createTranscripts({ store: store1 }), behave: async () => { throw new AppError('unavailable', 'overloaded'); } });
    const d1 = recordingDelivery();
    const c1 = createConversations({ store: store1, agent: a.agent, connectTools: fakeConnect(), resolvers: {}, delivery: { slack: d1 }, config: convConfig({ retryBaseMs: 10_000, retryMaxMs: 10_000 }), log: silentLogger() });
    await c1.start();
    const m = msg('slack:T:C:file', 'my password is Sup3rS3cret! where is my refund?');
    expect(await c1.handle(m)).toEqual({ accepted: true });
    await new Promise<void>((resolve) => { const t = setInterval(() => { if (d1.sent.some((s) => s.reply.kind === 'holding')) { clearInterval(t); resolve(); } }, 5); });
    await c1.stop();
    await store1.close();

    const store2 = await openFileStore({ file }); // validates the file against the schema on load
    expect(store2.read().processed[m.id]?.status).toBe('queued');
    expect(JSON.stringify(store2.read())).not.toContain('Sup3rS3cret!');
    const b = fakeAgent({ transcripts: createTranscripts({ store: store2 }) });
    const d2 = recordingDelivery();
    const c2 = createConversations({ store: store2, agent: b.agent, connectTools: fakeConnect(), resolvers: {}, delivery: { slack: d2 }, config: convConfig(), log: silentLogger() });
    await c2.start();
    await c2.drain();
    expect(d2.sent.filter((s) => s.reply.kind === 'reply').map((s) => s.reply.text)).toEqual(['echo: my password is [password removed] where is my refund?']);
    expect(d2.sent.some((s) => s.reply.kind === 'holding')).toBe(false); // the holding reply was already sent once
    expect(store2.read().processed[m.id]?.status).toBe('done');
    await c2.stop();
    await store2.close();
  });
});
