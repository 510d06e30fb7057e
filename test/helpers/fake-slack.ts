/**
 * A local fake of Slack for tests: the Web API (`POST /api/<method>`, form or JSON bodies) on 127.0.0.1:<random>,
 * recording every call and answering sensible defaults; `response_url` targets (`/respond/<id>`); and a Socket Mode
 * WebSocket endpoint handed out by `apps.connections.open`. Calls can be scripted to fail (e.g. 429 + Retry-After).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  at: number;
  /** Status we answered with (429 for a scripted rate limit). */
  status: number;
}

export interface FakeUser {
  id: string;
  team_id?: string;
  name?: string;
  real_name?: string;
  deleted?: boolean;
  is_bot?: boolean;
  is_email_confirmed?: boolean;
  profile?: { email?: string; display_name?: string; real_name?: string };
}

type Script = { status?: number; retryAfter?: number; body?: Record<string, unknown>; times: number; when?: (args: Record<string, unknown>) => boolean };

export interface FakeSlack {
  apiUrl: string;
  baseUrl: string;
  teamId: string;
  botUserId: string;
  botId: string;
  calls: RecordedCall[];
  users: Map<string, FakeUser>;
  usergroups: Map<string, string[]>;
  /** Calls of one method (only those answered 200 unless `all`). */
  callsOf(method: string, opts?: { all?: boolean }): RecordedCall[];
  /** Script the next `times` calls of `method` (matching `when`) to answer with this status/body. */
  script(method: string, s: { status?: number; retryAfter?: number; body?: Record<string, unknown>; times?: number; when?: (args: Record<string, unknown>) => boolean }): void;
  waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  /** Socket Mode: push an envelope to the connected app and resolve with its ack (`payload` included). */
  sendEnvelope(envelope: { type: string; payload: unknown; retry_attempt?: number; retry_reason?: string; accepts_response_payload?: boolean }): Promise<{ envelope_id: string; payload?: unknown }>;
  /**
   * Socket Mode: push any text frame (malformed ones included). With `envelopeId`, resolves with its ack, or
   * undefined when none came within `timeoutMs`; without, resolves after `timeoutMs`.
   */
  sendFrame(raw: string, opts?: { envelopeId?: string; timeoutMs?: number }): Promise<{ envelope_id: string; payload?: unknown } | undefined>;
  socketConnections(): number;
  close(): Promise<void>;
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if ((contentType ?? '').includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (/^[[{]/.test(v)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // plain string that happens to start with a bracket
      }
    }
    out[k] = v;
  }
  return out;
}

export async function startFakeSlack(opts: { teamId?: string; botUserId?: string; botId?: string } = {}): Promise<FakeSlack> {
  const teamId = opts.teamId ?? 'T0TEAM';
  const botUserId = opts.botUserId ?? 'UBOT';
  const botId = opts.botId ?? 'BBOT';
  const calls: RecordedCall[] = [];
  const scripts = new Map<string, Script[]>();
  const users = new Map<string, FakeUser>();
  const usergroups = new Map<string, string[]>();
  let tsCounter = 1_700_000_000_000;
  const nextTs = () => {
    tsCounter += 1;
    return `${Math.floor(tsCounter / 1000)}.${String(tsCounter % 1000).padStart(6, '0')}`;
  };
  /** Messages the app posted, as Slack keeps them (conversations.replies reads them back, metadata included). */
  const posted: Array<{ channel: string; ts: string; thread_ts?: string; text: unknown; metadata?: unknown; user: string; bot_id: string }> = [];
  const sockets = new Set<WebSocket>();
  const acks = new Map<string, (msg: { envelope_id: string; payload?: unknown }) => void>();
  let envelopeCounter = 0;

  function answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: 'helpline', team_id: teamId, user_id: botUserId, bot_id: botId };
      case 'chat.postMessage': {
        const ts = nextTs();
        const metadata = typeof args['metadata'] === 'string' ? JSON.parse(args['metadata']) : args['metadata'];
        posted.push({ channel: String(args['channel']), ts, ...(args['thread_ts'] ? { thread_ts: String(args['thread_ts']) } : {}), text: args['text'], ...(metadata ? { metadata } : {}), user: botUserId, bot_id: botId });
        return { ok: true, channel: args['channel'], ts, message: { text: args['text'], ts, user: botUserId, bot_id: botId, thread_ts: args['thread_ts'] } };
      }
      case 'conversations.replies': {
        const messages = posted.filter((m) => m.channel === args['channel'] && (m.thread_ts === args['ts'] || m.ts === args['ts']));
        return { ok: true, messages: args['include_all_metadata'] ? messages : messages.map(({ metadata: _m, ...rest }) => rest), has_more: false };
      }
      case 'chat.update':
        return { ok: true, channel: args['channel'], ts: args['ts'], text: args['text'] };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'chat.getPermalink':
        return { ok: true, channel: args['channel'], permalink: `https://fake.slack.test/archives/${String(args['channel'])}/p${String(args['message_ts']).replace('.', '')}` };
      case 'users.info': {
        const user = users.get(String(args['user']));
        return user ? { ok: true, user: { team_id: teamId, ...user } } : { ok: false, error: 'user_not_found' };
      }
      case 'usergroups.users.list': {
        const members = usergroups.get(String(args['usergroup']));
        return members ? { ok: true, users: members } : { ok: false, error: 'no_such_subteam' };
      }
      case 'views.open':
      case 'views.publish':
      case 'views.update':
        return { ok: true, view: { id: `V${nextTs().replace('.', '')}`, ...(args['view'] as object) } };
      case 'reactions.add':
      case 'reactions.remove':
        return { ok: true };
      case 'apps.connections.open':
        return { ok: true, url: `${baseUrl.replace('http://', 'ws://')}/link?ticket=t1` };
      default:
        return { ok: true };
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname.startsWith('/respond/')) {
      calls.push({ method: 'response_url', args: { ...parseBody(raw, req.headers['content-type']), id: url.pathname.slice(9) }, token: undefined, at: Date.now(), status: 200 });
      send(200, { ok: true });
      return;
    }
    if (!url.pathname.startsWith('/api/') || req.method !== 'POST') {
      send(404, { ok: false, error: 'unknown_path' });
      return;
    }
    const method = url.pathname.slice(5);
    const args = parseBody(raw, req.headers['content-type']);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : (args['token'] as string | undefined);
    const list = scripts.get(method) ?? [];
    const scripted = list.find((s) => s.times > 0 && (!s.when || s.when(args)));
    if (scripted) {
      scripted.times -= 1;
      const status = scripted.status ?? 200;
      calls.push({ method, args, token, at: Date.now(), status });
      const headers: Record<string, string> = scripted.retryAfter !== undefined ? { 'retry-after': String(scripted.retryAfter) } : {};
      send(status, scripted.body ?? (status === 429 ? { ok: false, error: 'ratelimited' } : answer(method, args)), headers);
      return;
    }
    calls.push({ method, args, token, at: Date.now(), status: 200 });
    send(200, answer(method, args));
  }

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { raw += c; });
    req.on('end', () => handle(req, res, raw));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
        if (msg.envelope_id) {
          calls.push({ method: 'socket.ack', args: msg as Record<string, unknown>, token: undefined, at: Date.now(), status: 200 });
          acks.get(msg.envelope_id)?.(msg as { envelope_id: string; payload?: unknown });
          acks.delete(msg.envelope_id);
        }
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0APP' }, debug_info: { host: 'fake', approximate_connection_time: 18060 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    teamId,
    botUserId,
    botId,
    calls,
    users,
    usergroups,
    callsOf: (method, o = {}) => calls.filter((c) => c.method === method && (o.all || c.status === 200)),
    script(method, s) {
      const list = scripts.get(method) ?? [];
      list.push({ ...s, times: s.times ?? 1 });
      scripts.set(method, list);
    },
    async waitFor(fn, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await fn();
        if (v) return v as never;
        if (Date.now() > deadline) throw new Error('fake-slack waitFor: timed out');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    sendEnvelope(envelope) {
      const ws = [...sockets][0];
      if (!ws) return Promise.reject(new Error('no socket mode connection'));
      envelopeCounter += 1;
      const envelope_id = `env-${envelopeCounter}`;
      return new Promise((resolve) => {
        acks.set(envelope_id, resolve);
        ws.send(JSON.stringify({ envelope_id, ...envelope }));
      });
    },
    sendFrame(raw, o = {}) {
      const ws = [...sockets][0];
      if (!ws) return Promise.reject(new Error('no socket mode connection'));
      const timeoutMs = o.timeoutMs ?? 1000;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          if (o.envelopeId) acks.delete(o.envelopeId);
          resolve(undefined);
        }, timeoutMs);
        if (o.envelopeId) {
          acks.set(o.envelopeId, (msg) => {
            clearTimeout(timer);
            resolve(msg);
          });
        }
        ws.send(raw);
      });
    },
    socketConnections: () => sockets.size,
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
