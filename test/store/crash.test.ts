import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFileStore } from '../../src/store/file-store.js';
import { dbSchema, emptyDb } from '../../src/store/schema.js';
import { auditEntry, tempDir } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/writer-child.ts', import.meta.url));
const KILLS = 50;

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('helpline-crash-'));
});
afterEach(async () => {
  await cleanup();
});

/**
 * Run the writer child, SIGKILL it `delayMs` after it reports ready (or at once when negative:
 * a kill during start-up), and return the ids it reported as durably written.
 */
function runAndKill(file: string, tag: string, delayMs: number): Promise<{ resolved: string[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, tag], { stdio: ['ignore', 'pipe', 'pipe'] });
    const resolved: string[] = [];
    let stderr = '';
    let buf = '';
    const kill = () => child.kill('SIGKILL');
    if (delayMs < 0) setTimeout(kill, -delayMs);
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready' && delayMs >= 0) setTimeout(kill, delayMs);
        else if (line.startsWith('ok ')) resolved.push(line.slice(3));
      }
    });
    child.once('error', reject);
    // 'exit' fires after the child is reaped, so its pid is no longer alive (its lock is stale).
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}/${signal}: ${stderr}`));
      else resolve({ resolved, stderr });
    });
  });
}

describe('file store: SIGKILL while writing', () => {
  it(`after each of ${KILLS} kills the file parses, validates and holds every resolved write`, async () => {
    const file = join(dir, 'db.json');
    // ~1 MB of existing data so rewrites take a while and kills land mid-write.
    const db = emptyDb();
    for (let i = 0; i < 4000; i++) db.audit.push(auditEntry(`base${i}`, { pad: 'y'.repeat(200) }));
    await writeFile(file, JSON.stringify(db));

    const everResolved = new Set<string>();
    let totalResolved = 0;
    let interrupted = 0;
    for (let run = 0; run < KILLS; run++) {
      // mostly mid-writing, sometimes during start-up/open
      const delay = run % 10 === 9 ? -(50 + Math.floor(Math.random() * 400)) : Math.floor(Math.random() * 250);
      const { resolved } = await runAndKill(file, `r${run}`, delay);
      for (const id of resolved) everResolved.add(id);
      totalResolved += resolved.length;
      if ((await readdir(dir)).some((n) => n.endsWith('.tmp'))) interrupted += 1;

      const text = await readFile(file, 'utf8');
      const parsed = dbSchema.safeParse(JSON.parse(text));
      expect(parsed.success, `run ${run}: file must validate`).toBe(true);
      const onDisk = new Set(parsed.data!.audit.map((a) => a.id));
      const lost = [...everResolved].filter((id) => !onDisk.has(id));
      expect(lost, `run ${run}: resolved writes missing after SIGKILL`).toEqual([]);
    }
    expect(totalResolved).toBeGreaterThan(KILLS); // the children really were writing
    expect(interrupted, 'some kills should land mid-rewrite (temp file left)').toBeGreaterThan(0);
    // leftovers (stale lock, temp files) do not stop a normal open, which cleans them up
    const store = await openFileStore({ file });
    expect(store.read().audit.length).toBeGreaterThanOrEqual(4000 + everResolved.size);
    await store.close();
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock'))).toEqual([]);
  }, 120_000);
});
