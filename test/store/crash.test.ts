import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFileStore } from '../../src/store/file-store.js';
import { dbSchema, emptyDb } from '../../src/store/schema.js';
import { auditEntry, readDurable, tempDir } from './helpers.js';

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
function runAndKill(file: string, tag: string, delayMs: number, args: string[]): Promise<{ resolved: string[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, tag, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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

/** Journal mode compacts every ~48 KB of journal so kills also land mid-compaction. */
const MODES = [
  { name: 'journal', kills: KILLS, args: ['journal', String(48 * 1024)] },
  { name: 'full rewrites', kills: 15, args: ['full'] },
];

describe.each(MODES)('file store ($name): SIGKILL while writing', ({ name, kills, args }) => {
  it(`after each of ${name === 'journal' ? KILLS : 15} kills the durable state validates and holds every resolved write exactly once`, async () => {
    const file = join(dir, 'db.json');
    // ~1 MB of existing data so rewrites take a while and kills land mid-write.
    const db = emptyDb();
    for (let i = 0; i < 4000; i++) db.audit.push(auditEntry(`base${i}`, { pad: 'y'.repeat(200) }));
    await writeFile(file, JSON.stringify(db));

    const everResolved = new Set<string>();
    let totalResolved = 0;
    let interrupted = 0;
    let unconfirmedOnDisk = 0;
    let journalsLeft = 0;
    for (let run = 0; run < kills; run++) {
      // mostly mid-writing, sometimes during start-up/open (which replays and compacts the journal)
      const delay = run % 10 === 9 ? -(50 + Math.floor(Math.random() * 400)) : Math.floor(Math.random() * 250);
      const { resolved } = await runAndKill(file, `r${run}`, delay, args);
      for (const id of resolved) everResolved.add(id);
      totalResolved += resolved.length;
      const names = await readdir(dir);
      if (names.some((n) => n.endsWith('.tmp'))) interrupted += 1;
      if (names.some((n) => n.includes('.journal.'))) journalsLeft += 1;

      const parsed = dbSchema.safeParse(await readDurable(file));
      expect(parsed.success, `run ${run}: durable state must validate`).toBe(true);
      const ids = parsed.data!.audit.map((a) => a.id);
      const onDisk = new Set(ids);
      expect(onDisk.size, `run ${run}: a write applied twice`).toBe(ids.length);
      const lost = [...everResolved].filter((id) => !onDisk.has(id));
      expect(lost, `run ${run}: resolved writes missing after SIGKILL`).toEqual([]);
      // durable but never confirmed: the kill landed between the append and its fsync completing
      if (ids.some((id) => id.startsWith(`r${run}-`) && !everResolved.has(id))) unconfirmedOnDisk += 1;
    }
    expect(totalResolved).toBeGreaterThan(kills); // the children really were writing
    if (name === 'journal') {
      expect(journalsLeft, 'kills should leave journals to replay').toBeGreaterThan(0);
      expect(interrupted + unconfirmedOnDisk, 'some kills should land mid-append or mid-compaction').toBeGreaterThan(0);
    } else {
      expect(interrupted, 'some kills should land mid-rewrite (temp file left)').toBeGreaterThan(0);
    }
    // leftovers (stale lock, temp files, journals) do not stop a normal open, which cleans them up
    const store = await openFileStore({ file });
    expect(store.read().audit.length).toBeGreaterThanOrEqual(4000 + everResolved.size);
    await store.close();
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock') || n.includes('.journal.'))).toEqual([]);
    // after a clean close the full file alone holds everything
    const full = dbSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(full.audit.filter((a) => everResolved.has(a.id))).toHaveLength(everResolved.size);
  }, 150_000);
});
