/**
 * Fuzzing every Slack entry of the real stack (memory store → support → MCP → agent → conversations → Slack channel
 * on real Bolt): random and malformed bodies, JSON and form-encoded, signed and unsigned, over HTTP; random frames
 * over Socket Mode. Afterwards nothing escaped to the process, no request got a 500 (a retry loop), the store is
 * exactly as before, and a real message is still answered. Seeded, so a failure can be replayed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { postRaw } from '../../helpers/slack-sign.js';
import { dm, escapedErrors, eventBody, mention, SECRET } from './harness.js';
import { startRealStack, type RealStack } from './real-stack.js';

let s: RealStack | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const ALPHABET = ['a', 'Z', '0', ' ', '"', '\\', '{', '}', '[', ']', ':', ',', '=', '&', '%', '+', '\n', '\u0000', 'é', '😀', '\ud800', '<', '>', '@'];
function randomString(r: Rng, max = 40): string {
  const n = r.int(max);
  let out = '';
  for (let i = 0; i < n; i += 1) out += r.pick(ALPHABET);
  return out;
}
const KEYS = ['type', 'event', 'payload', 'command', 'user', 'team', 'actions', 'view', 'challenge', 'token', '__proto__', 'constructor', 'event_id', 'channel', 'ts', 'text'];
function randomValue(r: Rng, depth = 0): unknown {
  const kind = depth > 3 ? r.int(5) : r.int(7);
  switch (kind) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2: return r.pick([0, -1, 1e308, 3.5, 2 ** 53 + 1]);
    case 3: return randomString(r);
    case 4: return r.pick(['event_callback', 'block_actions', 'view_submission', 'app_rate_limited', 'url_verification', 'message', 'error', '']);
    case 5: return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r.int(5) }, () => [r.pick(KEYS), randomValue(r, depth + 1)]));
  }
}
/** A value of a type the field cannot have (never a plain string, so string fields always break). */
function wrongValue(r: Rng): unknown {
  return r.pick([null, 0, 17, true, [], [null], {}, { id: null }, [{}]]);
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur: Record<string, unknown> = obj;
  for (const k of keys.slice(0, -1)) {
    const nextObj = cur[k];
    if (typeof nextObj !== 'object' || nextObj === null) return;
    cur = nextObj as Record<string, unknown>;
  }
  cur[keys.at(-1) as string] = value;
}

function templates(st: RealStack) {
  const click = () => ({
    type: 'block_actions', team: { id: st.fake.teamId }, user: { id: 'USTAFF' }, api_app_id: 'A0APP', trigger_id: 't',
    container: { type: 'message', message_ts: '1.2', channel_id: 'CSTAFF' }, channel: { id: 'CSTAFF' }, message: { ts: '1.2', blocks: [] },
    actions: [{ type: 'button', action_id: 'approval_approve', block_id: 'approval:apr_x', value: 'apr_x' }],
  });
  const view = () => ({
    type: 'view_submission', team: { id: st.fake.teamId }, user: { id: 'UCUST' },
    view: { id: 'V1', callback_id: 'ticket_create', state: { values: { subject: { value: { type: 'plain_text_input', value: 'hi' } }, description: { value: { type: 'plain_text_input', value: 'there' } } } } },
  });
  return {
    json: [
      [() => dm(st.fake, { text: 'fuzzed dm' }), ['type', 'event', 'event.type', 'event.user', 'event.channel', 'event.ts', 'event.item', 'event.thread_ts', 'authorizations']],
      [() => mention(st.fake, { text: 'fuzzed mention' }), ['event', 'event.type', 'event.user', 'event.channel', 'event.ts', 'event.subteam', 'authorizations', 'type']],
      [() => eventBody(st.fake, { type: 'app_home_opened', user: 'UCUST', channel: 'D0CUST', tab: 'home' }), ['event', 'event.user', 'event.channel', 'event.type', 'type']],
    ] as Array<[() => Record<string, unknown>, string[]]>,
    interactive: [
      [click, ['user', 'user.id', 'actions', 'actions.0', 'actions.0.action_id', 'team', 'channel', 'type', 'enterprise', 'response_urls']],
      [view, ['view', 'view.state', 'view.state.values', 'view.callback_id', 'user', 'team', 'view.state.values.subject']],
    ] as Array<[() => Record<string, unknown>, string[]]>,
  };
}

const command = (st: RealStack) => ({ command: '/ticket', text: 'close T-1001 fuzz', team_id: st.fake.teamId, channel_id: 'C0GEN', user_id: 'USTAFF', response_url: `${st.fake.baseUrl}/respond/f`, trigger_id: 't' });

/** One fuzzed HTTP request: [body, content type]. Every one is malformed where it matters. */
function fuzzedRequest(r: Rng, st: RealStack): [string, string] {
  const t = templates(st);
  const mutate = ([make, paths]: [() => Record<string, unknown>, string[]]) => {
    const body = make();
    for (let i = 0; i <= r.int(3); i += 1) setPath(body, r.pick(paths), wrongValue(r));
    if (r.next() < 0.1) setPath(body, r.pick(paths), undefined);
    return body;
  };
  const json = 'application/json';
  const form = 'application/x-www-form-urlencoded';
  switch (r.int(8)) {
    case 0: return [JSON.stringify(randomValue(r)), json];
    case 1: return [randomString(r, 200), r.pick([json, form, 'text/plain', ''])];
    case 2: return [JSON.stringify(mutate(r.pick(t.json))), json];
    case 3: return [new URLSearchParams({ payload: JSON.stringify(mutate(r.pick(t.interactive))) }).toString(), form];
    case 4: return [new URLSearchParams({ payload: r.next() < 0.5 ? JSON.stringify(randomValue(r)) : randomString(r) }).toString(), form];
    case 5: {
      const fields: Record<string, string> = command(st);
      delete fields[r.pick(['command', 'user_id', 'team_id', 'channel_id'])];
      if (r.next() < 0.3) fields['command'] = r.pick(['ticket', '/', '/a b', '']);
      return [new URLSearchParams(fields).toString(), form];
    }
    case 6: return [`${JSON.stringify(mutate(r.pick(t.json))).slice(0, -1 - r.int(10))}`, json]; // truncated JSON
    default: return [new URLSearchParams(Object.fromEntries(Array.from({ length: r.int(5) }, () => [randomString(r, 8), randomString(r, 30)]))).toString(), form];
  }
}

describe('fuzzing the Slack entries', () => {
  it('HTTP: 600 random and malformed requests, signed and unsigned: no escape, no 500, store unchanged, still answering', async () => {
    s = await startRealStack();
    const st = s;
    const r = prng(0x5eed14);
    const before = JSON.stringify((await st.db()));
    const statuses = new Map<number, number>();
    const escaped = await escapedErrors(async () => {
      for (let i = 0; i < 600; i += 1) {
        const [body, type] = fuzzedRequest(r, st);
        const unsigned = r.next() < 0.25;
        const res = await postRaw(st.url, SECRET, body, type, { unsigned });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (unsigned) expect(res.status).toBe(401);
        expect([200, 400, 401], `request ${i}: ${type} ${body.slice(0, 200)}`).toContain(res.status);
      }
      await st.conversations.drain();
      await st.channel.idle();
    });
    expect(escaped).toEqual([]);
    expect(statuses.get(400)).toBeGreaterThan(100);
    expect(statuses.get(401)).toBeGreaterThan(100);
    expect(JSON.stringify((await st.db()))).toBe(before);
    expect(st.fake.callsOf('chat.postMessage')).toHaveLength(0);

    const body = dm(st.fake, { text: 'hello after the storm' });
    expect((await postRaw(st.url, SECRET, JSON.stringify(body), 'application/json')).status).toBe(200);
    const reply = await st.fake.waitFor(() => st.fake.callsOf('chat.postMessage').find((c) => c.args['thread_ts'] === body.event.ts), 10_000);
    expect(String(reply.args['text'])).toContain('hello after the storm');
  }, 120_000);

  it('Socket Mode: 300 random and malformed frames: no escape, store unchanged, connection up, still answering', async () => {
    s = await startRealStack({ config: { mode: 'socket', appToken: 'xapp-test', signingSecret: undefined, port: undefined } });
    const st = s;
    const r = prng(0xf00d);
    const t = templates(st);
    const before = JSON.stringify((await st.db()));
    const escaped = await escapedErrors(async () => {
      for (let i = 0; i < 300; i += 1) {
        const id = `fz-${i}`;
        const [make, paths] = r.pick([...t.json, ...t.interactive]);
        const payload = make();
        for (let k = 0; k <= r.int(3); k += 1) setPath(payload, r.pick(paths), wrongValue(r));
        const frame = r.pick([
          () => JSON.stringify({ envelope_id: id, type: r.pick(['events_api', 'interactive', 'slash_commands', 'error', 'close', 'hello_world']), payload }),
          () => JSON.stringify({ envelope_id: id, type: r.pick(['events_api', 'interactive', 'slash_commands']), payload: randomValue(r) }),
          () => JSON.stringify(randomValue(r)),
          () => randomString(r, 100),
          () => JSON.stringify({ envelope_id: randomValue(r), type: randomValue(r), payload: randomValue(r) }),
        ])();
        await st.fake.sendFrame(frame, { envelopeId: id, timeoutMs: 30 });
      }
      await st.conversations.drain();
      await st.channel.idle();
    });
    expect(escaped).toEqual([]);
    expect(JSON.stringify((await st.db()))).toBe(before);
    expect(st.channel.status()).toBe('connected');
    const body = dm(st.fake, { text: 'hello after the socket storm' });
    await st.fake.sendEnvelope({ type: 'events_api', payload: body });
    const reply = await st.fake.waitFor(() => st.fake.callsOf('chat.postMessage').find((c) => c.args['thread_ts'] === body.event.ts), 10_000);
    expect(String(reply.args['text'])).toContain('hello after the socket storm');
  }, 120_000);
});
