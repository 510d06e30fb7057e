/**
 * The web-sessions benchmark's server: the real app (createApp) in its own process, as in production, so the benchmark's
 * 500 WebSocket clients and its fake Messages API do not share its CPU. Memory repositories from the demo seed plus
 * `customers` extra customers (`cus_ws0001`…), the HTTP server on 127.0.0.1 (any free port), Claude through the
 * Anthropic SDK at the fake's URL. Started by bench/web-sessions.ts with `node --import tsx`; over IPC it sends
 * `{ url }` once listening and, on `stop`, its figures (peak RSS, CPU, event-loop delay) before it stops the app.
 *
 * Usage: node --import tsx bench/web-sessions-child.ts <fake model url> <customers> <token secret>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { writeHeapSnapshot } from 'node:v8';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { silentLogger } from '../src/config/logger.js';
import { createMemoryRepositories } from '../src/store/memory/index.js';
import type { Customer } from '../src/store/schema.js';
import { seedDb } from './lib.js';
import { benchCustomerId, type ServerFigures } from './web-sessions-server.js';

async function main(): Promise<void> {
  const [modelUrl, count, secret] = process.argv.slice(2);
  if (!modelUrl || !count || !secret || !process.send) throw new Error('usage: web-sessions-child.ts <fake model url> <customers> <token secret> (forked with IPC)');
  const db = seedDb();
  const template = db.customers[0]!;
  const extra: Customer[] = Array.from({ length: Number(count) }, (_, i) => {
    const { slackUserId: _slack, ...rest } = template;
    return { ...rest, id: benchCustomerId(i), name: `Bench Customer ${i + 1}`, email: `ws${i + 1}@bench.example.com` };
  });
  db.customers.push(...extra);
  const config = loadConfig({
    LOG_LEVEL: 'silent', DATA_FILE: '/nonexistent/bench-web-sessions.json', DEV_MAILBOX: 'off',
    ANTHROPIC_API_KEY: 'bench', ANTHROPIC_BASE_URL: modelUrl, ANTHROPIC_MODEL: 'claude-bench',
    WEB_TOKEN_SECRET: secret,
    // Every session holds one turn at a time: a turn never waits for a model slot (the default 8 would queue them).
    CONVERSATION_CONCURRENCY: String(Math.max(8, Number(count))), CONVERSATION_QUEUE_LIMIT: String(Math.max(1000, 2 * Number(count))),
    // All clients come from 127.0.0.1: the per-address and per-connection limits must not throttle the benchmark.
    WEB_RATE_PER_IP_MINUTE: '1000000', WEB_RATE_PER_CUSTOMER_MINUTE: '1000000',
  });
  const app = await createApp(config, { log: silentLogger(), terminal: 'never', httpPort: 0, approvalSweepMs: 0, repos: createMemoryRepositories(db) });
  await app.start();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const gc = { count: 0, ms: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.ms += e.duration;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  let elu0 = performance.eventLoopUtilization();
  let cpu0 = process.cpuUsage();
  process.send({ url: app.wired.http!.url });
  // BENCH_WS_PROF=<file>: a CPU profile of the measured part (the messages) for the Chrome DevTools or speedscope.
  const profFile = process.env['BENCH_WS_PROF'];
  const inspector = profFile ? new Session() : undefined;
  inspector?.connect();
  process.on('message', async (m) => {
    if (m === 'measure') {
      await inspector?.post('Profiler.enable');
      await inspector?.post('Profiler.start');
      // From here on: the messages, not start-up or connecting.
      elu0 = performance.eventLoopUtilization();
      cpu0 = process.cpuUsage();
      loop.reset();
      loop.enable();
      Object.assign(gc, { count: 0, ms: 0, maxMs: 0 });
      return;
    }
    if (m !== 'stop') return;
    loop.disable();
    // BENCH_WS_HEAP=<file>: a heap snapshot after the messages (what the server keeps).
    if (process.env['BENCH_WS_HEAP']) writeHeapSnapshot(process.env['BENCH_WS_HEAP']);
    if (inspector && profFile) {
      const { profile } = await inspector.post('Profiler.stop');
      mkdirSync('.tmp', { recursive: true });
      writeFileSync(profFile, JSON.stringify(profile));
    }
    const cpu = process.cpuUsage(cpu0);
    const figures: ServerFigures = {
      peakRssMb: process.resourceUsage().maxRSS / 1024, rssMb: process.memoryUsage().rss / (1024 * 1024), cpuMs: (cpu.user + cpu.system) / 1000,
      loopDelayP50Ms: loop.percentile(50) / 1e6, loopDelayP99Ms: loop.percentile(99) / 1e6, loopDelayMaxMs: loop.max / 1e6,
      loopUtilization: performance.eventLoopUtilization(elu0).utilization,
      gcPauses: gc.count, gcMs: gc.ms, gcMaxMs: gc.maxMs, heapMb: process.memoryUsage().heapUsed / (1024 * 1024),
    };
    process.send!({ figures }, () => {
      void app.stop().then(() => process.exit(0));
    });
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`web-sessions child: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
