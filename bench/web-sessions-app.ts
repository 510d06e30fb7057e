/**
 * The web-sessions benchmark's server: the real app (createApp) with memory repositories from the demo seed plus one
 * customer per session (`cus_ws0001`…), the HTTP server on 127.0.0.1 (any free port), Claude through the Anthropic
 * SDK at the fake Messages API's URL, and what it measures of itself over the messages: CPU, event-loop delay and
 * use, GC pauses, peak RSS. Full mode runs it in its own process (bench/web-sessions-child.ts); quick mode in the
 * benchmark's process.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { silentLogger } from '../src/config/logger.js';
import { createMemoryRepositories } from '../src/store/memory/index.js';
import type { Customer } from '../src/store/schema.js';
import { seedDb } from './lib.js';

/** The customers added to the seed, one per session. */
export const benchCustomerId = (i: number) => `cus_ws${String(i + 1).padStart(4, '0')}`;

export interface ServerFigures {
  peakRssMb: number;
  cpuMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  loopUtilization: number;
  gcPauses: number;
  gcMs: number;
  gcMaxMs: number;
  heapMb: number;
  /** Times the OS took the CPU from the server while it had work (other processes on the machine). */
  preempted: number;
}

export interface BenchApp {
  url: string;
  /** Start measuring (after connecting and warming up). */
  measure(): Promise<void>;
  /** The figures since `measure`; then the app stops. */
  stop(): Promise<ServerFigures>;
}

function benchConfig(modelUrl: string, customers: number, secret: string) {
  return loadConfig({
    LOG_LEVEL: 'silent', DATA_FILE: '/nonexistent/bench-web-sessions.json', DEV_MAILBOX: 'off',
    ANTHROPIC_API_KEY: 'bench', ANTHROPIC_BASE_URL: modelUrl, ANTHROPIC_MODEL: 'claude-bench',
    WEB_TOKEN_SECRET: secret,
    // Every session holds one turn at a time: a turn never waits for a model slot (the default 8 would queue them).
    CONVERSATION_CONCURRENCY: String(Math.max(8, customers)), CONVERSATION_QUEUE_LIMIT: String(Math.max(1000, 2 * customers)),
    // All clients come from 127.0.0.1: the per-address and per-connection limits must not throttle the benchmark.
    WEB_RATE_PER_IP_MINUTE: '1000000', WEB_RATE_PER_CUSTOMER_MINUTE: '1000000',
  });
}

export async function startBenchApp(modelUrl: string, customers: number, secret: string): Promise<BenchApp> {
  const db = seedDb();
  const { slackUserId: _slack, ...template } = db.customers[0]!;
  const extra: Customer[] = Array.from({ length: customers }, (_, i) => ({ ...template, id: benchCustomerId(i), name: `Bench Customer ${i + 1}`, email: `ws${i + 1}@bench.example.com` }));
  db.customers.push(...extra);
  const app = await createApp(benchConfig(modelUrl, customers, secret), { log: silentLogger(), terminal: 'never', httpPort: 0, approvalSweepMs: 0, repos: createMemoryRepositories(db) });
  await app.start();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const gc = { count: 0, ms: 0, maxMs: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.ms += e.duration;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
    }
  });
  let elu0 = performance.eventLoopUtilization();
  let cpu0 = process.cpuUsage();
  let preempted0 = process.resourceUsage().involuntaryContextSwitches;
  // BENCH_WS_PROF=<file>: a CPU profile of the measured part (for Chrome DevTools or speedscope).
  const profFile = process.env['BENCH_WS_PROF'];
  const inspector = profFile ? new Session() : undefined;
  inspector?.connect();
  return {
    url: app.wired.http!.url,
    async measure() {
      await inspector?.post('Profiler.enable');
      await inspector?.post('Profiler.start');
      elu0 = performance.eventLoopUtilization();
      cpu0 = process.cpuUsage();
      preempted0 = process.resourceUsage().involuntaryContextSwitches;
      loop.enable();
      gcObserver.observe({ entryTypes: ['gc'] });
    },
    async stop() {
      loop.disable();
      gcObserver.disconnect();
      // BENCH_WS_HEAP=<file>: a heap snapshot after the messages (what the server keeps).
      if (process.env['BENCH_WS_HEAP']) writeHeapSnapshot(process.env['BENCH_WS_HEAP']);
      if (inspector && profFile) {
        const { profile } = await inspector.post('Profiler.stop');
        mkdirSync('.tmp', { recursive: true });
        writeFileSync(profFile, JSON.stringify(profile));
        inspector.disconnect();
      }
      const cpu = process.cpuUsage(cpu0);
      const figures: ServerFigures = {
        peakRssMb: process.resourceUsage().maxRSS / 1024, cpuMs: (cpu.user + cpu.system) / 1000,
        loopDelayP99Ms: loop.percentile(99) / 1e6, loopDelayMaxMs: loop.max / 1e6,
        loopUtilization: performance.eventLoopUtilization(elu0).utilization,
        gcPauses: gc.count, gcMs: gc.ms, gcMaxMs: gc.maxMs, heapMb: process.memoryUsage().heapUsed / (1024 * 1024),
        preempted: process.resourceUsage().involuntaryContextSwitches - preempted0,
      };
      await app.stop();
      return figures;
    },
  };
}
