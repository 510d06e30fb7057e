/**
 * Live events across instances: two real Helplines (offline assistant) on one throwaway PostgreSQL database, each
 * with its own HTTP server, as two `npm start` processes behind a load balancer. A customer's WebSocket is on A;
 * what happens on B (a turn from a REST request, a staff decision's notice, a long notice) reaches it once, in
 * order; and the relay's connections coming back after being killed carry later events again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { createApiKeys } from '../../../src/channels/web/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/config/logger.js';
import { importIntoPostgres } from '../../../src/store/transfer/index.js';
import { postgresMissing, startPostgres, type Postgres } from '../../helpers/postgres.js';
import { approvePending, call, TOKEN_SECRET } from './harness.js';
import { authedSocket, type Frame, type SocketClient } from './live-client.js';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const missing = postgresMissing();
if (missing) console.log(`[web live events across instances] skipped: ${missing}`);

interface Instance { app: App; base: string }

let server: Postgres;
let databaseUrl: string;
const dirs: string[] = [];
let a: Instance;
let b: Instance;
let token: string;

async function startInstance(name: string): Promise<Instance> {
  const dir = mkdtempSync(join(tmpdir(), 'helpline-instances-'));
  dirs.push(dir);
  const config = loadConfig({
    DATABASE_URL: databaseUrl, DATA_FILE: join(dir, 'db.json'), SEED_FILE: root('data/seed.json'), KB_DIR: root('data/kb'),
    LOG_LEVEL: 'silent', WEB_TOKEN_SECRET: TOKEN_SECRET, SLACK_STAFF_USER_IDS: 'U_STAFF',
  });
  const app = await createApp(config, { log: silentLogger(), terminal: 'never', httpPort: 0, approvalSweepMs: 0, instanceId: name, webLive: { pingMs: 500 } });
  await app.start();
  return { app, base: app.wired.http!.url };
}

beforeAll(async () => {
  if (missing) return;
  server = await startPostgres();
  databaseUrl = await server.createDatabase('live_instances');
  await importIntoPostgres({ source: root('data/seed.json'), databaseUrl, log: silentLogger() });
  a = await startInstance('A');
  b = await startInstance('B');
  const { key } = await createApiKeys({ apiKeys: a.app.repos.apiKeys, clock: () => new Date() }).create('shop', ['tokens:mint']);
  // Minted on A, used on both: the instances share the secret and the database, as behind a load balancer.
  token = (await call(b.base, 'POST', '/api/v1/tokens', { headers: { authorization: `Bearer ${key}` }, body: { customerId: 'cus_001' } })).json['token'];
}, 120_000);

afterAll(async () => {
  await a?.app.stop();
  await b?.app.stop();
  await server?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const auth = () => ({ authorization: `Bearer ${token}` });
const newThread = async (base: string) => (await call(base, 'POST', '/api/v1/threads', { headers: auth() })).json['threadId'] as string;
const isEvent = (type: string, threadId: string) => (f: Frame) => f['type'] === 'event' && f['threadId'] === threadId && f['event']?.['type'] === type;
const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/** A socket on A following a new thread of cus_001. */
async function followOnA(): Promise<{ s: SocketClient; threadId: string; threadKey: string }> {
  const s = await authedSocket(a.base, token);
  const threadId = await newThread(a.base);
  s.send({ type: 'subscribe', threadId });
  await s.next((f) => f['type'] === 'subscribed', 'subscribed');
  return { s, threadId, threadKey: `web:cus_001:${threadId}` };
}

/** Events of a thread have consecutive ids of one stream (no repeat, no hole) unless a resync started a new one. */
function expectConsecutive(events: Frame[]): void {
  let expected = 1;
  for (const e of events) {
    if (e['type'] === 'resync') {
      expected = 1;
      continue;
    }
    expect(e['seq']).toBe(expected++);
  }
}

describe.skipIf(Boolean(missing))('live events across two instances on one PostgreSQL', () => {
  it('a message posted over REST to B streams to sockets on A and on B: the turn events and the reply, each once', async () => {
    const { s, threadId } = await followOnA();
    // B watches the thread too: it tells its own socket directly and must not hear its events back from the relay.
    const onB = await authedSocket(b.base, token);
    onB.send({ type: 'subscribe', threadId });
    await onB.next((f) => f['type'] === 'subscribed', 'subscribed on B');
    const posted = await call(b.base, 'POST', `/api/v1/threads/${threadId}/messages`, { headers: auth(), body: { clientMessageId: 'balance-1', text: "what's my balance?" } });
    expect(posted.status).toBe(200);
    const reply = await s.next(isEvent('message', threadId), 'the reply relayed from B');
    await onB.next(isEvent('message', threadId), 'the reply on B');
    await settle();
    const events = s.events(threadId);
    expect(reply['event']).toMatchObject({ kind: 'reply', text: posted.json['reply']['text'], inReplyToId: `web:cus_001:${threadId}:balance-1` });
    expect(events.filter((e) => e['type'] === 'message')).toHaveLength(1);
    expect(events.filter((e) => e['type'] === 'turn_done')).toHaveLength(1);
    const texts = events.filter((e) => e['type'] === 'text');
    expect(texts.length).toBeGreaterThan(0);
    // The streamed pieces come before the end of the turn and begin the reply, as on one instance.
    expect(events.indexOf(texts[0]!)).toBeLessThan(events.findIndex((e) => e['type'] === 'turn_done'));
    expect(reply['event']['text'].startsWith(texts.map((e) => e['text']).join(''))).toBe(true);
    expectConsecutive(events);
    expect(events.some((e) => e['type'] === 'resync')).toBe(false);
    // Both sockets saw the same events in the same order (each numbered by its own instance).
    const shape = (list: Frame[]) => list.map(({ type, text, kind, tool }) => ({ type, text, kind, tool }));
    expect(shape(onB.events(threadId))).toEqual(shape(events));
    expectConsecutive(onB.events(threadId));
    // /metrics on each side: B sent what A received (A's own socket events were not relayed to anyone).
    const metricsOf = async (base: string) => await (await fetch(`${base}/metrics`)).text();
    const figure = (text: string, name: string) => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    const [ma, mb] = [await metricsOf(a.base), await metricsOf(b.base)];
    expect(figure(mb, 'helpline_event_relay_events_total{direction="sent"}')).toBeGreaterThanOrEqual(events.length);
    expect(figure(ma, 'helpline_event_relay_events_total{direction="received"}')).toBeGreaterThanOrEqual(events.length);
    expect(figure(ma, 'helpline_event_relay_connected')).toBe(1);
    await s.close();
    await onB.close();
  });

  it('a staff decision taken on B (as the Slack button does) reaches the socket on A once', async () => {
    const { s, threadId, threadKey } = await followOnA();
    await call(b.base, 'POST', `/api/v1/threads/${threadId}/messages`, { headers: auth(), body: { clientMessageId: 'lost-card-1', text: 'I lost my card ending 6578 last night' } });
    await s.next(isEvent('message', threadId), 'the answer about the card');
    const before = s.frames.length;
    const decided = await approvePending(b.app, threadKey, 'card_deactivation'); // the Approve click landed on B
    const notice = await s.next(isEvent('message', threadId), 'the decision notice', before);
    expect(notice['event']).toMatchObject({ kind: 'notice', text: decided.customerMessage });
    await settle();
    expect(s.events(threadId).filter((e) => e['kind'] === 'notice')).toHaveLength(1);
    expectConsecutive(s.events(threadId));
    await s.close();
  });

  it('an event larger than a NOTIFY payload (8000 bytes) arrives whole, in its place between small ones', async () => {
    const { s, threadId, threadKey } = await followOnA();
    const long = Array.from({ length: 400 }, (_, i) => `Line ${i}: your statement is ready — ünïcödé ✓.`).join('\n');
    expect(Buffer.byteLength(long)).toBeGreaterThan(16_000);
    await b.app.conversations.notifyThread(threadKey, 'first', { sourceId: 'n1' });
    await b.app.conversations.notifyThread(threadKey, long, { sourceId: 'n2' });
    await b.app.conversations.notifyThread(threadKey, 'last', { sourceId: 'n3' });
    await s.next((f) => isEvent('message', threadId)(f) && f['event']['text'] === 'last', 'the last notice');
    await settle();
    expect(s.events(threadId).map((e) => e['text'])).toEqual(['first', long, 'last']);
    expectConsecutive(s.events(threadId));
    await s.close();
  });

  it('after the relay connections are killed, the socket on A is told to resync and later events arrive again', async () => {
    const { s, threadId, threadKey } = await followOnA();
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      const killed = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'helpline-events:%'");
      expect(killed.rowCount).toBe(2); // A's and B's
      await s.next(isEvent('resync', threadId), 'resync after A reconnects');
    } finally {
      await admin.end();
    }
    // B may still be reconnecting: notices it sends meanwhile are lost to A (and A resyncs again when it sees the
    // hole in B's numbering). Keep telling until one arrives, then one more must arrive, once.
    let i = 0;
    for (;;) {
      const from = s.frames.length;
      await b.app.conversations.notifyThread(threadKey, `after ${++i}`, { sourceId: `after-${i}` });
      const got = await s.next(isEvent('message', threadId), 'a notice', from).catch(() => undefined);
      if (got) break;
      expect(i).toBeLessThan(10);
    }
    const from = s.frames.length;
    await b.app.conversations.notifyThread(threadKey, 'final', { sourceId: 'final' });
    await s.next((f) => isEvent('message', threadId)(f) && f['event']['text'] === 'final', 'the final notice', from);
    await settle();
    const texts = s.events(threadId).filter((e) => e['type'] === 'message').map((e) => e['text']);
    expect(texts.filter((t) => t === 'final')).toHaveLength(1);
    expect(new Set(texts).size).toBe(texts.length);
    expectConsecutive(s.events(threadId));
    await s.close();
  });
});
