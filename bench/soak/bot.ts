/**
 * The bot under test as a child process, run as `npm start` runs it (node with the start script's flags on the
 * compiled `src/main.ts`; `args`), with an environment pointing at the local fakes. Started, SIGKILLed and restarted by pid (only the process this module started); its RSS is read
 * from /proc; its logs go to a file for diagnosis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { sleep } from '../lib.js';

export interface Bot {
  start(): Promise<void>;
  /** SIGKILL the running process and wait for it to be gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful shutdown) and wait for the exit code. */
  stop(): Promise<number | null>;
  rssMb(): number | undefined;
  pid(): number | undefined;
  starts: number;
  /** Exits nobody asked for (crashes), with their code/signal. */
  crashes: string[];
  close(): void;
}

export function createBot(o: { args: string[]; env: Record<string, string>; healthUrl: string; logFile: string; startTimeoutMs?: number }): Bot {
  let child: ChildProcess | undefined;
  let expectingExit = false;
  const log: WriteStream = createWriteStream(o.logFile, { flags: 'a' });
  const bot: Bot = {
    starts: 0,
    crashes: [],
    async start() {
      if (child) throw new Error('bot already running');
      expectingExit = false;
      const c = spawn(process.execPath, o.args, {
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...o.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = c;
      bot.starts++;
      log.write(`\n=== start #${bot.starts} pid ${c.pid} at ${new Date().toISOString()} ===\n`);
      c.stdout?.pipe(log, { end: false });
      c.stderr?.pipe(log, { end: false });
      c.once('exit', (code, signal) => {
        if (!expectingExit) bot.crashes.push(`pid ${c.pid} exited code=${code} signal=${signal}`);
        if (child === c) child = undefined;
      });
      const deadline = Date.now() + (o.startTimeoutMs ?? 60_000); // tsx compiles at start: 10–22 s on a loaded 2-core machine
      while (Date.now() < deadline) {
        if (!child) throw new Error(`bot exited during start-up (see ${o.logFile})`);
        try {
          const res = await fetch(o.healthUrl, { signal: AbortSignal.timeout(1000) });
          await res.arrayBuffer();
          if (res.ok) return;
        } catch {
          // not listening yet
        }
        await sleep(100);
      }
      throw new Error(`bot not healthy after start-up (see ${o.logFile})`);
    },
    async kill() {
      const c = child;
      if (!c) return;
      expectingExit = true;
      const gone = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGKILL');
      await gone;
      child = undefined;
    },
    async stop() {
      const c = child;
      if (!c) return null;
      expectingExit = true;
      const exited = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      child = undefined;
      return code;
    },
    rssMb() {
      const pid = child?.pid;
      if (!pid) return undefined;
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return m ? Number(m[1]) / 1024 : undefined;
      } catch {
        return undefined;
      }
    },
    pid: () => child?.pid,
    close: () => log.end(),
  };
  return bot;
}
