import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { createApp, type App, type AppOptions } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/config.js';
import { silentLogger, type Logger } from '../../../src/config/logger.js';
import type { MemorySnapshot } from '../../../src/store/memory/index.js';
import { dbSchema, type Db } from '../../../src/store/schema.js';
import { reposFor, storedRows } from '../../helpers/test-engine.js';

export function loadSeed(): Db {
  return dbSchema.parse(JSON.parse(readFileSync('data/seed.json', 'utf8')));
}

export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The real app (support, MCP, agent, conversations) on the seed data (on the test engine), chatting through PassThrough streams. */
export interface Chat {
  app: App;
  /** Everything stored, now (assertions). */
  db(): Promise<MemorySnapshot>;
  /** Everything printed so far. */
  output(): string;
  /** Send one line and wait until what is printed after it matches `until`; returns that new output. */
  say(line: string, until: RegExp): Promise<string>;
  close(): Promise<void>;
}

export async function startChat(env: Record<string, string> = {}, opts: { log?: Logger; app?: Partial<AppOptions> } = {}): Promise<Chat> {
  const input = new PassThrough();
  const output = new PassThrough();
  let out = '';
  output.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  const config = loadConfig({ KB_DIR: 'data/kb', DATA_FILE: '/nonexistent/unused.json', ...env });
  const repos = await reposFor(loadSeed());
  const app = await createApp(config, {
    log: opts.log ?? silentLogger(), terminal: 'always', input, output, repos, approvalSweepMs: 0, ...opts.app,
  });
  await app.start();
  await waitFor(() => out.includes('Type "help"'), 'the banner');
  return {
    app,
    db: () => storedRows(repos),
    output: () => out,
    async say(line, until) {
      const from = out.length;
      input.write(`${line}\n`);
      await waitFor(() => until.test(out.slice(from)), `${until} after "${line}"\n--- output so far ---\n${out.slice(from)}`);
      return out.slice(from);
    },
    async close() {
      input.end();
      await app.stop();
    },
  };
}
