/**
 * Child process of the memory benchmark (a fresh process, so earlier benchmarks do not count):
 * `tsx bench/memory-child.ts <conversations>` runs that many 3-turn conversations through the real stack
 * (memory store seeded with the demo data, a scripted model making one tool call per turn), sampling RSS,
 * and prints one JSON line with the figures.
 */
import { createMemoryStore } from '../src/store/index.js';
import { dbSchema } from '../src/store/schema.js';
import { rssMb, seedDb } from './lib.js';
import { buildStack, scriptedModel } from './stack.js';

const conversations = Number(process.argv[2] ?? 1000);
const TURNS = 3;
const BATCH = 500;

const store = createMemoryStore(seedDb());
const customers = store.read().customers.map((c) => c.id);
const model = scriptedModel({ tools: [{ name: 'get_account_balance', input: {} }] });
let delivered = 0;
const stack = await buildStack({
  store, model, concurrency: 50, record: false,
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
const endMb = rssMb(); // before the bench's own checks below (schema parse + stringify of the whole store)
peak = Math.max(peak, endMb);
const db = store.read();
const valid = dbSchema.safeParse(db).success;
const threads = Object.keys(db.conversations).length;
const dbBytes = Buffer.byteLength(JSON.stringify(db));
globalThis.gc?.();
process.stdout.write(`${JSON.stringify({
  conversations, turns: conversations * TURNS, delivered, threads, valid, seconds,
  startMb: start, peakMb: peak, endMb, heapMb: process.memoryUsage().heapUsed / 1048576, dbMb: dbBytes / 1048576, rssAfterBatch,
})}\n`);
process.exit(0);
