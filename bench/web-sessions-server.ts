/** Parent side of bench/web-sessions-child.ts: the app in its own process, its URL and, at the end, its figures over IPC. */
import { fork } from 'node:child_process';
import { resolve } from 'node:path';

/** The customers the child adds to the seed, one per session. */
export const benchCustomerId = (i: number) => `cus_ws${String(i + 1).padStart(4, '0')}`;

export interface ServerFigures {
  peakRssMb: number;
  rssMb: number;
  cpuMs: number;
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  loopUtilization: number;
  gcPauses: number;
  gcMs: number;
  gcMaxMs: number;
  heapMb: number;
}

const NO_FIGURES: ServerFigures = { peakRssMb: Number.NaN, rssMb: Number.NaN, cpuMs: Number.NaN, loopDelayP50Ms: Number.NaN, loopDelayP99Ms: Number.NaN, loopDelayMaxMs: Number.NaN, loopUtilization: Number.NaN, gcPauses: Number.NaN, gcMs: Number.NaN, gcMaxMs: Number.NaN, heapMb: Number.NaN };

export interface Server { url: string; measure(): void; stop(): Promise<ServerFigures> }

export async function startServer(modelUrl: string, customers: number, secret: string): Promise<Server> {
  const child = fork(resolve('bench/web-sessions-child.ts'), [modelUrl, String(customers), secret], { execArgv: ['--import', 'tsx', ...(process.env['BENCH_WS_NODE_FLAGS']?.split(' ').filter(Boolean) ?? [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let onFigures: ((f: ServerFigures) => void) | undefined;
  const url = await new Promise<string>((res, rej) => {
    child.once('exit', (code) => rej(new Error(`web-sessions server exited (${code}) before listening`)));
    child.on('message', (m: { url?: string; figures?: ServerFigures }) => {
      if (m.url) res(m.url);
      if (m.figures) onFigures?.(m.figures);
    });
  });
  return {
    url,
    measure: () => child.send('measure'),
    async stop() {
      const figures = new Promise<ServerFigures>((res) => {
        onFigures = res;
      });
      if (child.connected) child.send('stop');
      const t = setTimeout(() => child.kill(), 10_000);
      await exited;
      clearTimeout(t);
      // A child that died first sent nothing: its figures are unknown.
      return Promise.race([figures, Promise.resolve(NO_FIGURES)]);
    },
  };
}
