/**
 * Random and malformed requests at every entry of the HTTP server (health, readiness, metrics, the reset page and
 * its stylesheet, unknown paths), through real sockets, against a real app on a file store. Afterwards the
 * process still answers /healthz, nothing answered 5xx, and the store is unchanged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/config/logger.js';
import type { Repositories } from '../../../src/store/repos/index.js';
import { loadSeed } from '../terminal/harness.js';
import { reposFor, storedRows } from '../../helpers/test-engine.js';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
let app: App;
let repos: Repositories;
let dir: string;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'helpline-http-fuzz-'));
  const config = loadConfig({ DATA_FILE: join(dir, 'db.json'), SEED_FILE: root('data/seed.json'), KB_DIR: root('data/kb'), LOG_LEVEL: 'silent' });
  repos = await reposFor(loadSeed());
  app = await createApp(config, { log: silentLogger(), terminal: 'never', httpPort: 0, approvalSweepMs: 0, repos });
  await app.start();
  base = app.wired.http!.url;
});
afterAll(async () => {
  await app.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Deterministic randomness (mulberry32), so a failure replays. */
function rng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256)));
  return { next, pick, bytes };
}

const TOKENISH = ['tok1.' + 'a'.repeat(43), 'x.' + 'b'.repeat(16), '%E0%A4%A', '%', '%00', '..%2F..%2Fetc%2Fpasswd', 'a'.repeat(5000), '%F0%9F%92%A9', '\u00e9', '.', 'tok.%zz'];
const PATHS = ['/healthz', '/readyz', '/metrics', '/static/reset.css', '/reset/', '/reset', '/', '/api/v1/chat', '/slack/events', '//reset//x', '/healthz?x=%', '/metrics/../healthz', '/%'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const TYPES = ['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded; charset=utf-16', ''];

/** One raw HTTP/1.1 exchange on its own socket; resolves with the status code (0 when the server just closed). */
function raw(request: Buffer | string): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const sock = connect(Number(url.port), url.hostname);
    let data = '';
    sock.setTimeout(5_000, () => sock.destroy());
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('error', () => undefined);
    sock.on('close', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0)));
    sock.end(request);
  });
}

describe('HTTP entries under random and malformed requests', () => {
  it('answers every request without a 5xx, stays up and leaves the store unchanged', async () => {
    const before = JSON.stringify(await storedRows(repos));
    const r = rng(20261205);
    const statuses: Record<string, number> = {};
    const fiveHundreds: string[] = [];
    for (let i = 0; i < 400; i++) {
      const path = r.next() < 0.5 ? `/reset/${r.pick(TOKENISH)}` : r.pick(PATHS);
      const method = r.pick(METHODS);
      const type = r.pick(TYPES);
      const kind = r.next();
      const body = method === 'GET' || method === 'HEAD' ? undefined
        : kind < 0.3 ? r.bytes(Math.floor(r.next() * 2000))
        : kind < 0.5 ? `password=${'x'.repeat(Math.floor(r.next() * 30))}&confirm=y&csrf=${r.pick(TOKENISH)}`
        : kind < 0.7 ? JSON.stringify(r.pick([null, [], 'x', 1, { payload: null }, { type: 'url_verification' }]))
        : kind < 0.8 ? 'a=%&b=%E0%A4%A&&&=&' + '%'.repeat(100)
        : Buffer.alloc(64 * 1024 + Math.floor(r.next() * 64 * 1024), 0x61);
      let status: number;
      try {
        const res = await fetch(`${base}${path}`, { method, ...(type ? { headers: { 'content-type': type } } : {}), ...(body !== undefined ? { body } : {}) });
        await res.arrayBuffer();
        status = res.status;
      } catch {
        status = 0; // the server refused the request outright (e.g. closed on an oversized body)
      }
      statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
      if (status >= 500) fiveHundreds.push(`${method} ${path.slice(0, 60)}`);
    }
    // Malformed HTTP itself: bad request lines, bad headers, lying lengths, binary garbage.
    const junk = [
      'GARBAGE\r\n\r\n', 'GET /healthz HTTP/9.9\r\n\r\n', 'GET /reset/%E0 HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /reset/tok1.aaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort',
      'POST /reset/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      r.bytes(3000),
    ];
    for (const j of junk) {
      const status = await raw(j);
      if (status >= 500) fiveHundreds.push(`raw ${String(j).slice(0, 30)}`);
    }
    console.log(`[http-fuzz] 400 random + ${junk.length} malformed requests, statuses: ${JSON.stringify(statuses)}`);
    expect(fiveHundreds).toEqual([]);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(JSON.stringify(await storedRows(repos))).toBe(before);
  }, 120_000);
});
