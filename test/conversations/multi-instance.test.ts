/**
 * Two conversations instances on one set of repositories (`shared: true`), as two `npm start` processes on one
 * PostgreSQL database: each message answered once, a thread's messages in arrival order whichever instance claimed
 * them, and a dead instance's queued messages taken over by the survivor. Runs on the memory engine (shared in
 * one process) and on a real PostgreSQL when it is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { createConversations, type Conversations } from '../../src/conversations/conversations.js';
import { channelPorts } from '../../src/conversations/delivery.js';
import { createTranscripts } from '../../src/conversations/transcripts.js';
import { createMemoryRepositories } from '../../src/store/memory/index.js';
import { createPostgresRepositories } from '../../src/store/postgres/index.js';
import type { Repositories } from '../../src/store/repos/index.js';
import { postgresMissing, startPostgres, type Postgres } from '../helpers/postgres.js';
import { convConfig, fakeAgent, fakeConnect, msg, recordingDelivery, until } from './fakes.js';

type MakeRepos = () => Promise<Repositories>;

function instance(repos: Repositories, holder: string, delayMs: number, hang = false) {
  const a = fakeAgent({ transcripts: createTranscripts({ repos }), delayMs, ...(hang ? { behave: () => new Promise<never>(() => {}) } : {}) });
  const d = recordingDelivery();
  const conv: Conversations = createConversations({
    repos, holder, shared: true, threadLeaseMs: 600, adoptEveryMs: 100, agent: a.agent, connectTools: fakeConnect(),
    channels: channelPorts({ slack: d }), config: convConfig({ concurrency: 8 }), log: silentLogger(), sweepEveryMs: 0, stopTimeoutMs: 50,
  });
  return { conv, agent: a, delivery: d };
}

function suite(name: string, makeRepos: MakeRepos, skip?: string) {
  describe.skipIf(Boolean(skip))(`two instances on one store (${name})`, () => {
    it('answer each message once, and a thread in arrival order whichever instance claimed its messages', async () => {
      const repos = await makeRepos();
      const a = instance(repos, 'A', 40); // a slower model on A: B would overtake it on a shared thread
      const b = instance(repos, 'B', 5);
      await a.conv.start();
      await b.conv.start();
      const threads = ['slack:T:C:1', 'slack:T:C:2', 'slack:T:C:3'];
      const sent: string[] = [];
      for (let i = 0; i < 8; i++) {
        for (const t of threads) {
          const m = msg(t, `${t} #${i}`);
          sent.push(m.text);
          // alternate instances, as a load balancer would; Slack retries the same event on the other one
          const [first, second] = (i + threads.indexOf(t)) % 2 === 0 ? [a, b] : [b, a];
          expect(await first.conv.handle(m)).toEqual({ accepted: true });
          await second.conv.handle(m);
        }
      }
      await until(() => a.delivery.sent.length + b.delivery.sent.length >= sent.length, 20_000);
      await a.conv.drain();
      await b.conv.drain();
      const replies = [...a.delivery.sent, ...b.delivery.sent].filter((s) => s.reply.kind === 'reply');
      expect(replies.map((r) => r.reply.text).sort()).toEqual(sent.map((t) => `echo: ${t}`).sort());
      // Each thread's turns ran in arrival order: the transcript has them in order.
      for (const t of threads) {
        const conv = await repos.conversations.get(t);
        const users = ((conv?.messages ?? []) as Array<{ role: string; content: unknown }>).filter((m) => m.role === 'user').map((m) => String(m.content));
        expect(users).toEqual(Array.from({ length: 8 }, (_, i) => `${t} #${i}`));
      }
      expect(a.agent.state.calls.length + b.agent.state.calls.length).toBe(sent.length);
      await a.conv.stop();
      await b.conv.stop();
      await repos.close();
    }, 60_000);

    it('a survivor answers what a dead instance had queued, once the dead one\'s thread lease ran out', async () => {
      const repos = await makeRepos();
      const survivor = instance(repos, 'survivor', 5);
      await survivor.conv.start(); // already running: only taking over can answer what the other leaves behind
      const dead = instance(repos, 'dead', 0, true); // its model never answers: it "dies" mid-turn
      await dead.conv.start();
      const m1 = msg('slack:T:C:x', 'first');
      const m2 = msg('slack:T:C:x', 'second');
      await dead.conv.handle(m1);
      await dead.conv.handle(m2);
      await until(() => dead.agent.state.calls.length === 1);
      // The process goes away mid-turn: stop times out, and its thread lease is no longer renewed.
      await dead.conv.stop();
      await until(() => survivor.delivery.sent.filter((s) => s.reply.kind === 'reply').length === 2, 20_000);
      expect(survivor.delivery.sent.map((s) => s.reply.text)).toEqual(['echo: first', 'echo: second']);
      expect(await repos.ledger.get(m1.id)).toMatchObject({ status: 'done' });
      expect(await repos.ledger.get(m2.id)).toMatchObject({ status: 'done' });
      await survivor.conv.stop();
      await repos.close();
    }, 60_000);
  });
}

suite('memory engine', async () => createMemoryRepositories());

let pg: Postgres | undefined;
const missing = postgresMissing();
if (missing) console.log(`[multi-instance conversations] PostgreSQL part skipped: ${missing}`);
beforeAll(async () => { if (!missing) pg = await startPostgres(); }, 60_000);
afterAll(async () => { await pg?.stop(); });
let n = 0;
suite('PostgreSQL', async () => createPostgresRepositories({ databaseUrl: await pg!.createDatabase(`conv_multi_${++n}`), log: silentLogger() }), missing);
