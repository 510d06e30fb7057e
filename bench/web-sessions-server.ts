/** Where the web-sessions benchmark's app runs: its own process (full mode; bench/web-sessions-child.ts) or this one (quick mode). */
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { type BenchApp, type ServerFigures, startBenchApp } from './web-sessions-app.js';

export { benchCustomerId, type ServerFigures } from './web-sessions-app.js';

const NO_FIGURES: ServerFigures = { peakRssMb: Number.NaN, cpuMs: Number.NaN, loopDelayP99Ms: Number.NaN, loopDelayMaxMs: Number.NaN, loopUtilization: Number.NaN, gcPauses: Number.NaN, gcMs: Number.NaN, gcMaxMs: Number.NaN, heapMb: Number.NaN, preempted: Number.NaN };

export type Server = BenchApp;

type FromChild = { url?: string; measuring?: boolean; figures?: ServerFigures };

/** The app in a child process (`node --import tsx`, plus BENCH_WS_NODE_FLAGS, e.g. `--trace-gc`). */
export async function startServerProcess(modelUrl: string, customers: number, secret: string): Promise<Server> {
  const flags = process.env['BENCH_WS_NODE_FLAGS']?.split(' ').filter(Boolean) ?? [];
  const child = fork(resolve('bench/web-sessions-child.ts'), [modelUrl, String(customers), secret], { execArgv: ['--import', 'tsx', ...flags], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const waiting = new Map<keyof FromChild, (m: FromChild) => void>();
  child.on('message', (m: FromChild) => {
    for (const [k, done] of waiting) if (m[k] !== undefined) done(m);
  });
  const next = (key: keyof FromChild) => Promise.race([
    new Promise<FromChild>((r) => waiting.set(key, r)),
    exited.then(() => ({}) as FromChild),
  ]);
  const started = await next('url');
  if (!started.url) throw new Error('web-sessions server exited before listening');
  return {
    url: started.url,
    async measure() {
      const ack = next('measuring');
      child.send('measure');
      await ack;
    },
    async stop() {
      const answer = next('figures');
      if (child.connected) child.send('stop');
      const t = setTimeout(() => child.kill(), 10_000);
      const { figures } = await answer;
      await exited;
      clearTimeout(t);
      return figures ?? NO_FIGURES;
    },
  };
}

export const startServerInProcess = startBenchApp;
