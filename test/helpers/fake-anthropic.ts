/**
 * A local fake of the Anthropic Messages API for tests, driven by the REAL `@anthropic-ai/sdk` through `baseURL`.
 *
 *   const fake = await startFakeAnthropic();
 *   fake.script(toolUse('get_account_balance', {}), reply('You have $10.'));      // queue of entries, one per request
 *   const model = createClaudeModel({ apiKey: 'test', baseURL: fake.url, model: 'claude-test', timeoutMs: 2000, maxRetries: 1, maxTokens: 512 });
 *   ... fake.requests[0].body.system / .tools / .messages; .headers.authorization === 'Bearer test' (this SDK version) ...
 *   await fake.close();
 *
 * POST /v1/messages plays the next scripted entry:
 *   - `message(content, stopReason?, usage?, delayMs?)` / `reply(text, usage?)` / `toolUse(name, input, { text?, id? })`: a 200 Messages response
 *     (usage may include cache_read_input_tokens / cache_creation_input_tokens; `delayMs` answers late: a slow model);
 *   - `httpError(status, { retryAfterMs?, type?, message? })`: an Anthropic error JSON (429 rate_limit_error, 529
 *     overloaded_error, 500 api_error...) with `retry-after` and `retry-after-ms` headers (default 1 ms, so SDK retries are fast);
 *   - `hang()`: never answers (the socket stays open until the client gives up or `close()` is called);
 *   - a function `(req, index) => entry | Promise<entry>`: computed from the request (write a "model" in the test).
 * When the queue is empty the `fallback` (option or `setFallback`) is used; without one the fake answers 400
 * `invalid_request_error` "fake-anthropic: no scripted response" (not retried by the SDK), so a missing script fails loudly.
 *   - `midStreamError({ text?, type? })`: to a streaming request, a 200 stream that writes `text` and then sends
 *     `event: error` (default `overloaded_error`), as the API does under load; to a non-streaming one, the HTTP error.
 * A request with `"stream": true` (the SDK's `messages.stream`) is answered with real server-sent events for the same
 * entries: message_start, per block content_block_start / content_block_delta (text_delta in pieces of `chunkChars`,
 * default 5, so words and links are cut; tool_use input as input_json_delta pieces) / content_block_stop,
 * message_delta (stop_reason, usage), message_stop; `chunkDelayMs` (option or `setChunkDelay`) paces the events.
 * Errors (`httpError`) are sent before the stream starts, as HTTP statuses, exactly as to a non-streaming request.
 * Helpers for function entries: `lastBlocks(req)`, `toolResultsOf(req)`, `lastUserText(req)`.
 * `waitForRequests(n)` resolves once n requests have arrived (handy with `hang()` or slow `delayMs` entries).
 * Every request is recorded in `requests` (parsed JSON body, lower-cased headers, raw body text, `receivedAt` and, once
 * answered, `answeredAt`) before it is answered,
 * including requests that then hang or error, so retries are visible (`requests.length`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeBlock = { type: string; [key: string]: unknown };
export interface FakeUsage { input_tokens?: number; output_tokens?: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number }
export interface RecordedRequest {
  body: FakeRequestBody;
  headers: Record<string, string>;
  raw: string;
  at: number;
  /** performance.now() when the whole request had arrived, and when the answer was handed to the socket (benchmarks time the model with them). */
  receivedAt: number;
  answeredAt?: number;
}
export interface FakeRequestBody {
  model?: string;
  max_tokens?: number;
  system?: Array<{ type: string; text: string; cache_control?: unknown }> | string;
  tools?: Array<{ name: string; description?: string; input_schema: unknown; cache_control?: unknown }>;
  messages: Array<{ role: 'user' | 'assistant'; content: string | FakeBlock[] }>;
  [key: string]: unknown;
}

export type ScriptEntry =
  | { kind: 'message'; content: FakeBlock[]; stopReason: string | null; usage?: FakeUsage; delayMs?: number }
  | { kind: 'error'; status: number; type?: string; message?: string; retryAfterMs?: number }
  | { kind: 'hang' }
  | { kind: 'stream_error'; text: string; type: string }
  | ((req: RecordedRequest, index: number) => ScriptEntry | Promise<ScriptEntry>);

export function message(content: FakeBlock[], stopReason: string | null = 'end_turn', usage?: FakeUsage, delayMs?: number): ScriptEntry {
  return { kind: 'message', content, stopReason, ...(usage ? { usage } : {}), ...(delayMs !== undefined ? { delayMs } : {}) };
}
export function reply(text: string, usage?: FakeUsage): ScriptEntry {
  return message([{ type: 'text', text }], 'end_turn', usage);
}
export function toolUse(name: string, input: Record<string, unknown>, opts: { text?: string; id?: string; usage?: FakeUsage } = {}): ScriptEntry {
  const id = opts.id ?? `toolu_fake_${randomUUID().slice(0, 12)}`;
  const content: FakeBlock[] = [...(opts.text ? [{ type: 'text', text: opts.text }] : []), { type: 'tool_use', id, name, input }];
  return message(content, 'tool_use', opts.usage);
}
export function httpError(status: number, opts: { retryAfterMs?: number; type?: string; message?: string } = {}): ScriptEntry {
  return { kind: 'error', status, ...opts };
}
export function hang(): ScriptEntry {
  return { kind: 'hang' };
}
export function midStreamError(opts: { text?: string; type?: string } = {}): ScriptEntry {
  return { kind: 'stream_error', text: opts.text ?? '', type: opts.type ?? 'overloaded_error' };
}

/** Blocks of the last message of a request (string content becomes one text block). */
export function lastBlocks(req: RecordedRequest): FakeBlock[] {
  const last = req.body.messages[req.body.messages.length - 1];
  if (!last) return [];
  return typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
}
/** The tool_result blocks the agent sent in this request's last message. */
export function toolResultsOf(req: RecordedRequest): FakeBlock[] {
  return lastBlocks(req).filter((b) => b.type === 'tool_result');
}
/** The text of the latest user message that has text (what the customer just said, plus any notices). */
export function lastUserText(req: RecordedRequest): string {
  for (let i = req.body.messages.length - 1; i >= 0; i--) {
    const m = req.body.messages[i]!;
    if (m.role !== 'user') continue;
    const text = typeof m.content === 'string' ? m.content : m.content.filter((b) => b.type === 'text').map((b) => String(b.text)).join('\n');
    if (text) return text;
  }
  return '';
}

const ERROR_STATUS: Record<string, number> = { overloaded_error: 529, rate_limit_error: 429, api_error: 500 };

/** Cut `text` into pieces of `size` characters (mid-word on purpose: a stream consumer must not rely on word ends). */
function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

type Sse = [event: string, data: Record<string, unknown>];

/** The stream events of one block at `index`: start, deltas, stop. */
function blockEvents(block: FakeBlock, index: number, size: number): Sse[] {
  const start = (content_block: unknown): Sse => ['content_block_start', { type: 'content_block_start', index, content_block }];
  const delta = (d: Record<string, unknown>): Sse => ['content_block_delta', { type: 'content_block_delta', index, delta: d }];
  const stop: Sse = ['content_block_stop', { type: 'content_block_stop', index }];
  if (block.type === 'text') return [start({ type: 'text', text: '' }), ...pieces(String(block.text ?? ''), size).map((text) => delta({ type: 'text_delta', text })), stop];
  if (block.type === 'tool_use') {
    const json = JSON.stringify(block.input ?? {});
    return [start({ type: 'tool_use', id: block.id, name: block.name, input: {} }), ...pieces(json, Math.max(1, Math.ceil(json.length / 3))).map((partial_json) => delta({ type: 'input_json_delta', partial_json })), stop];
  }
  return [start(block), stop];
}

function messageStart(index: number, model: string, usage: FakeUsage): Sse {
  return ['message_start', { type: 'message_start', message: { id: `msg_fake_${index}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }];
}

const ERROR_TYPES: Record<number, string> = { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error' };

export interface FakeAnthropic {
  url: string;
  /** Pause between stream events (a model that writes slowly). */
  setChunkDelay(ms: number): void;
  requests: RecordedRequest[];
  script(...entries: ScriptEntry[]): void;
  setFallback(entry: ScriptEntry | undefined): void;
  /** Entries not yet played. */
  pending(): number;
  /** Resolves once at least `count` requests have arrived (rejects after `timeoutMs`, default 5000). */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeAnthropic(opts: { fallback?: ScriptEntry; chunkChars?: number; chunkDelayMs?: number } = {}): Promise<FakeAnthropic> {
  const queue: ScriptEntry[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let fallback = opts.fallback;
  let served = 0;
  let chunkDelayMs = opts.chunkDelayMs ?? 0;
  const chunkChars = opts.chunkChars ?? 5;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    if (res.headersSent) {
      res.end(); // a stream had begun: end it (the client sees a cut stream)
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${served}`, ...headers });
    res.end(JSON.stringify(body));
  };

  /** Write server-sent events, paced by `chunkDelayMs`; stops quietly when the client went away. */
  async function writeEvents(res: ServerResponse, events: Sse[]): Promise<void> {
    if (res.destroyed) return;
    if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_fake_${served}` });
    for (const [event, data] of events) {
      if (res.destroyed) return;
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      if (chunkDelayMs) await new Promise((r) => setTimeout(r, chunkDelayMs));
    }
  }

  async function stream(entry: Extract<ScriptEntry, { kind: 'message' | 'stream_error' }>, req: RecordedRequest, index: number, res: ServerResponse): Promise<void> {
    const usage: FakeUsage = { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, ...(entry.kind === 'message' ? entry.usage : {}) };
    const events: Sse[] = [messageStart(index, req.body.model ?? 'fake', usage), ['ping', { type: 'ping' }]];
    if (entry.kind === 'stream_error') {
      if (entry.text) events.push(...blockEvents({ type: 'text', text: entry.text }, 0, chunkChars).slice(0, -1));
      events.push(['error', { type: 'error', error: { type: entry.type, message: `fake ${entry.type} mid-stream` } }]);
    } else {
      for (const [i, b] of entry.content.entries()) events.push(...blockEvents(b, i, chunkChars));
      events.push(['message_delta', { type: 'message_delta', delta: { stop_reason: entry.stopReason, stop_sequence: null }, usage }], ['message_stop', { type: 'message_stop' }]);
    }
    await writeEvents(res, events);
    res.end();
  }

  async function play(entry: ScriptEntry, req: RecordedRequest, index: number, res: ServerResponse): Promise<void> {
    if (typeof entry === 'function') return play(await entry(req, index), req, index, res);
    if (entry.kind === 'hang') return;
    if (entry.kind === 'error') {
      const ms = entry.retryAfterMs ?? 1;
      send(res, entry.status, { type: 'error', error: { type: entry.type ?? ERROR_TYPES[entry.status] ?? 'api_error', message: entry.message ?? `fake error ${entry.status}` } }, { 'retry-after': String(Math.max(0, Math.ceil(ms / 1000))), 'retry-after-ms': String(ms) });
      return;
    }
    if (entry.kind === 'stream_error') {
      if (req.body.stream === true) return stream(entry, req, index, res);
      const status = ERROR_STATUS[entry.type] ?? 500;
      send(res, status, { type: 'error', error: { type: entry.type, message: `fake error ${status}` } }, { 'retry-after-ms': '1' });
      return;
    }
    if (entry.delayMs) await new Promise((r) => setTimeout(r, entry.delayMs));
    if (req.body.stream === true) return stream(entry, req, index, res);
    send(res, 200, {
      id: `msg_fake_${index}`,
      type: 'message',
      role: 'assistant',
      model: req.body.model ?? 'fake',
      content: entry.content,
      stop_reason: entry.stopReason,
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, ...entry.usage },
    });
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
        send(res, 404, { type: 'error', error: { type: 'not_found_error', message: `fake-anthropic: no route ${req.method} ${req.url}` } });
        return;
      }
      let body: FakeRequestBody;
      try {
        body = JSON.parse(raw) as FakeRequestBody;
      } catch {
        send(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'fake-anthropic: body is not JSON' } });
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
      const recorded: RecordedRequest = { body, headers, raw, at: Date.now(), receivedAt: performance.now() };
      res.once('finish', () => {
        recorded.answeredAt = performance.now();
      });
      requests.push(recorded);
      const index = served++;
      const entry = queue.shift() ?? fallback;
      if (!entry) {
        send(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'fake-anthropic: no scripted response' } }, { 'x-should-retry': 'false' });
        return;
      }
      play(entry, recorded, index, res).catch((err: unknown) => send(res, 500, { type: 'error', error: { type: 'api_error', message: `fake-anthropic script failed: ${String(err)}` } }, { 'x-should-retry': 'false' }));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...entries) => void queue.push(...entries),
    setChunkDelay: (ms) => {
      chunkDelayMs = ms;
    },
    setFallback: (entry) => {
      fallback = entry;
    },
    pending: () => queue.length,
    waitForRequests: async (count, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) throw new Error(`fake-anthropic: ${requests.length}/${count} requests after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
