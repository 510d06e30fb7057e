/**
 * Event relay benchmark: what relaying live thread events between two instances costs on a throwaway PostgreSQL
 * (src/store/postgres/event-relay.ts, LISTEN/NOTIFY on one connection each). Measured: one-way latency of a single
 * small event (A publishes, B's receiver has it), of a large one (> 8000 bytes: through thread_event_bodies), and a
 * burst of small events (a streamed reply) with the statements it took (batched while one is out). Also: statements
 * sent for events of a thread no other instance watches (expected: none). Judged: small-event p50 ≤ 5 ms. Checked:
 * every event arrives once, in order.
 */
import { silentLogger } from '../src/config/logger.js';
import { createThreadEvents } from '../src/conversations/thread-events.js';
import type { RelayPayload, ThreadEventRelay } from '../src/store/event-relay.js';
import { runMigrations } from '../src/store/postgres/migrate.js';
import { createPostgresRelay } from '../src/store/postgres/event-relay.js';
import { postgresMissing, startPostgres } from '../test/helpers/postgres.js';
import { fmt, percentile, sleep, type Bench, type BenchResult } from './lib.js';
import { countStatements } from './pg-statements.js';

const THREAD = 'web:cus_001:th_bench';
const TARGET_MS = 5;

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setImmediate(r));
  }
}

export const eventRelayBench: Bench = {
  name: 'event-relay',
  description: 'live thread events between two instances on PostgreSQL: latency per event, burst cost',
  async run({ quick, say }): Promise<BenchResult> {
    const why = postgresMissing();
    if (why) return { name: 'event-relay', figures: { skipped: why }, target: `p50 ≤ ${TARGET_MS} ms`, pass: true, correct: true };
    const server = await startPostgres();
    const problems: string[] = [];
    const relays: ThreadEventRelay[] = [];
    try {
      const databaseUrl = await server.createDatabase('relay_bench');
      await runMigrations({ databaseUrl, log: silentLogger() });
      const a = createPostgresRelay({ databaseUrl, log: silentLogger(), holder: 'A' });
      const b = createPostgresRelay({ databaseUrl, log: silentLogger(), holder: 'B' });
      relays.push(a, b);
      const got: Array<{ at: number; p: RelayPayload }> = [];
      b.receive({ event: (_t, p) => got.push({ at: performance.now(), p }), gap: () => problems.push('a gap was reported') });
      a.receive({ event: () => problems.push('A received its own event'), gap: () => undefined });
      await a.start();
      await b.start();
      await b.watch(THREAD);
      await until(() => a.watchedElsewhere(THREAD));

      say('event-relay: single small events');
      const n = quick ? 200 : 1000;
      const small: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        a.publish(THREAD, { body: { type: 'text', messageId: 'm', text: `piece ${i} ` }, i });
        await until(() => got.length === i + 1);
        small.push(got[i]!.at - t);
      }
      say('event-relay: large events');
      const large: number[] = [];
      const text = 'x'.repeat(20_000);
      for (let i = 0; i < (quick ? 20 : 100); i++) {
        const t = performance.now();
        const want = got.length + 1;
        a.publish(THREAD, { body: { type: 'message', kind: 'reply', text }, i });
        await until(() => got.length === want);
        large.push(got[want - 1]!.at - t);
        if ((got[want - 1]!.p['body'] as { text?: string }).text !== text) problems.push('a large event arrived altered');
      }

      say('event-relay: a burst');
      const burst = quick ? 500 : 5000;
      const before = got.length;
      const counter = countStatements();
      const t0 = performance.now();
      for (let i = 0; i < burst; i++) a.publish(THREAD, { body: { type: 'text', messageId: 'b', text: 'word ' }, i });
      await until(() => got.length === before + burst, 30_000);
      const burstMs = performance.now() - t0;
      const burstStatements = counter.counts().statements;
      const order = got.slice(before).map((g) => g.p['i']);
      if (order.some((v, i) => v !== i)) problems.push('burst arrived out of order or with repeats');

      // Through conversations' thread events, as the app publishes: a thread nobody else watches costs nothing.
      const c = createPostgresRelay({ databaseUrl, log: silentLogger(), holder: 'C' });
      relays.push(c);
      const events = createThreadEvents({ log: silentLogger(), clock: () => new Date(), relay: c });
      await c.start();
      const idle = countStatements();
      for (let i = 0; i < 1000; i++) events.delivered('web:cus_001:th_nobody_else', { kind: 'notice', text: `n${i}`, inReplyToId: `n${i}` });
      await sleep(50);
      const unwatchedStatements = idle.counts().statements;
      idle.restore();
      counter.restore();

      const p50 = percentile(small, 50);
      return {
        name: 'event-relay', ratio: fmt(p50), target: `small event p50 ≤ ${TARGET_MS} ms`, pass: p50 <= TARGET_MS,
        correct: problems.length === 0, ...(problems.length ? { problems } : {}),
        figures: {
          small_events: n, small_p50_ms: fmt(p50), small_p99_ms: fmt(percentile(small, 99)),
          large_p50_ms: fmt(percentile(large, 50)), large_p99_ms: fmt(percentile(large, 99)),
          burst_events: burst, burst_ms: fmt(burstMs), burst_events_per_s: Math.round(burst / (burstMs / 1000)),
          burst_statements: burstStatements, unwatched_statements_per_1000: unwatchedStatements,
        },
        notes: [
          'One-way: A publishes, B\'s receiver has it (both on 127.0.0.1). Large: 20 kB, written to thread_event_bodies and read back by B.',
          'A burst is sent in batches while a statement is out, so it takes far fewer statements than events.',
          'Events of a thread no other instance watches send nothing.',
        ],
      };
    } finally {
      for (const r of relays) await r.stop();
      await server.stop();
    }
  },
};
