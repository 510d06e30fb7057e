/**
 * Child process of the memory benchmark (a fresh process, so earlier benchmarks do not count):
 * `node bench/memory-child.js <conversations> [databaseUrl]` runs that many 3-turn conversations through the real
 * stack (the memory engine seeded with the demo data, or PostgreSQL at `databaseUrl`, already holding the demo
 * data; a scripted model making one tool call per turn), sampling RSS, and prints one JSON line with the figures.
 */
import pg from 'pg';
import { silentLogger } from '../src/config/logger.js';
import { createMemoryRepositories } from '../src/store/memory/index.js';
import { createPostgresRepositories } from '../src/store/postgres/index.js';
import type { Repositories } from '../src/store/repos/index.js';
import { rssMb, seedDb } from './lib.js';
import { buildStack, scriptedModel } from './stack.js';

const conversations = Number(process.argv[2] ?? 1000);
const TURNS = 3;
const BATCH = 500;

const databaseUrl = process.argv[3];
const memory = databaseUrl ? undefined : createMemoryRepositories(seedDb());
const repos: Repositories = memory ?? (await createPostgresRepositories({ databaseUrl: databaseUrl as string, log: silentLogger(), poolSize: 10, migrate: false }));
const customers = seedDb().customers.map((c) => c.id);
const model = scriptedModel({ tools: [{ name: 'get_account_balance', input: {} }] });
let delivered = 0;
const stack = await buildStack({
  repos, model, concurrency: 50, record: false,
  customerOf: (sender) => customers[Number(sender.slice(1)) % customers.length]!,
  onDeliver: () => { delivered++; },
});
let peak = rssMb();
const start = rssMb();
const sampler = setInterval(() => { peak = Math.max(peak, rssMb()); }, 50);
const rssAfterBatch: number[] = [];
const t0 = performance.now();
for (let from = 0; from < conversations; from += BATCH) {
  const to = Math.min(conversations, from + BATCH);
  for (let turn = 0; turn < TURNS; turn++) {
    for (let c = from; c < to; c++) {
      await stack.conversations.handle({
        id: `mem-${c}-${turn}`, channel: 'slack', threadKey: `slack:T0BENCH:D${c}:${c}.000300`,
        text: `Turn ${turn + 1}: what is my balance today? I want to plan a purchase and need the exact figure.`,
        sender: { id: `U${c}`, verified: true }, receivedAt: new Date().toISOString(),
      });
    }
  }
  await stack.conversations.drain();
  peak = Math.max(peak, rssMb());
  rssAfterBatch.push(Math.round(rssMb()));
}
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
await stack.stop();
const endMb = rssMb(); // before the bench's own checks below
peak = Math.max(peak, endMb);
const unfinished = (await repos.ledger.listUnfinished(100)).length;
const ledgered = await repos.ledger.count();
const { threads, dbMb } = memory ? memoryFigures() : await postgresFigures(databaseUrl as string);
await repos.close();
globalThis.gc?.();
process.stdout.write(`${JSON.stringify({
  conversations, turns: conversations * TURNS, delivered, threads, valid: unfinished === 0 && ledgered >= conversations * TURNS, seconds,
  startMb: start, peakMb: peak, endMb, heapMb: process.memoryUsage().heapUsed / 1048576, dbMb, rssAfterBatch,
})}\n`);
process.exit(0);

function memoryFigures(): { threads: number; dbMb: number } {
  const snap = (memory as NonNullable<typeof memory>).snapshot();
  return { threads: snap.conversations.filter((c) => c.threadKey.startsWith('slack:T0BENCH:')).length, dbMb: Buffer.byteLength(JSON.stringify(snap)) / 1048576 };
}

/** Counted with SQL from outside the product (the bench checks the engine; the ports have no count of threads). */
async function postgresFigures(url: string): Promise<{ threads: number; dbMb: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const t = await client.query<{ n: string }>("SELECT count(*) AS n FROM conversations WHERE thread_key LIKE 'slack:T0BENCH:%'");
    const size = await client.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b');
    return { threads: Number(t.rows[0]?.n), dbMb: Number(size.rows[0]?.b) / 1048576 };
  } finally {
    await client.end();
  }
}
