/**
 * The PostgreSQL event relay on a throwaway server: watches learned by the other instance and forgotten when it
 * stops, and what a receiver reports when something was lost. Loss is produced by sending on the relay's channel
 * from a plain connection, as a sender that dropped events would look on the wire.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/config/logger.js';
import type { RelayPayload, ThreadEventRelay } from '../../../src/store/event-relay.js';
import { createPostgresRelay, RELAY_CHANNEL } from '../../../src/store/postgres/event-relay.js';
import { runMigrations } from '../../../src/store/postgres/migrate.js';
import { postgresMissing, startPostgres, type Postgres } from '../../helpers/postgres.js';

const missing = postgresMissing();
let server: Postgres;
let url: string;
const open: ThreadEventRelay[] = [];

beforeAll(async () => {
  if (missing) return;
  server = await startPostgres();
  url = await server.createDatabase('relay');
  await runMigrations({ databaseUrl: url, log: silentLogger() });
}, 60_000);
afterAll(async () => {
  for (const r of open) await r.stop();
  await server?.stop();
});

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function relay(holder: string) {
  const r = createPostgresRelay({ databaseUrl: url, log: silentLogger(), holder });
  const got: Array<{ threadKey: string; p: RelayPayload }> = [];
  const gaps: Array<string | undefined> = [];
  r.receive({ event: (threadKey, p) => got.push({ threadKey, p }), gap: (t) => gaps.push(t) });
  await r.start();
  open.push(r);
  return { r, got, gaps };
}

async function notify(payloads: unknown[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  for (const p of payloads) await c.query('SELECT pg_notify($1, $2)', [RELAY_CHANNEL, JSON.stringify(p)]);
  await c.end();
}

describe.skipIf(Boolean(missing))('PostgreSQL event relay', () => {
  it('an instance learns which threads another watches, and forgets them when it stops', async () => {
    const a = await relay('A');
    const b = await relay('B');
    expect(a.r.watchedElsewhere('web:x')).toBe(false);
    await b.r.watch('web:x');
    await until(() => a.r.watchedElsewhere('web:x'), 'A learns B watches web:x');
    expect(b.r.watchedElsewhere('web:x')).toBe(false); // its own watch is not "elsewhere"
    a.r.publish('web:x', { body: { type: 'text', text: 'hi' } });
    a.r.publish('web:other', { body: { type: 'text', text: 'not watched by B' } });
    await until(() => b.got.length === 1, 'B receives');
    expect(b.got[0]).toEqual({ threadKey: 'web:x', p: { body: { type: 'text', text: 'hi' } } });
    await b.r.stop();
    await until(() => !a.r.watchedElsewhere('web:x'), 'A forgets B');
    expect(a.gaps).toEqual([]);
  });

  it('a receiver reports a gap for a skipped number, for a mark ahead of what it heard, and for a body that is gone', async () => {
    const b = await relay('B2');
    await b.r.watch('web:y');
    const e = (n: number, extra: Record<string, unknown> = { p: { body: { type: 'text', text: `#${n}` } } }) => ({ k: 'e', o: 'X:1', n, t: 'web:y', ...extra });
    await notify([e(1), e(2), { k: 's', o: 'X:1', n: 2, t: '' }]);
    await until(() => b.got.length === 2, 'two events');
    expect(b.gaps).toEqual([]); // in sequence, and the mark agrees
    await notify([e(4)]); // 3 never came
    await until(() => b.gaps.length === 1, 'gap for the skipped number');
    await notify([{ k: 's', o: 'X:1', n: 6, t: '' }]); // 5 and 6 were sent while the sender was cut off
    await until(() => b.gaps.length === 2, 'gap for the mark');
    await notify([e(7, { r: '999999' })]); // a large event whose body is gone
    await until(() => b.gaps.length === 3, 'gap for the lost body');
    expect(b.gaps).toEqual([undefined, undefined, 'web:y']);
    expect(b.got.map((g) => (g.p['body'] as { text: string }).text)).toEqual(['#1', '#2', '#4']);
  });
});
