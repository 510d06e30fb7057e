/**
 * SIGKILL loop for the JSON engine: a child writes (several calls in flight) and is killed at random moments,
 * mid-append, mid-fold, mid-migration or during start-up. After every kill, what is durably on disk must
 * validate and hold every acknowledged write exactly once, with transactions whole.
 */
import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/config/logger.js';
import { createJsonRepositories, readJsonStore } from '../../../src/store/json/index.js';
import { emptyDb } from '../../../src/store/schema.js';
import { auditEntry, tempDir } from '../helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/writer-child.ts', import.meta.url));

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('helpline-json-crash-'));
});
afterEach(async () => {
  await cleanup();
});

/** Run the writer child, SIGKILL it `delayMs` after it is ready (negative: that long after spawning), return the ids it acknowledged. */
function runAndKill(file: string, tag: string, delayMs: number, compactAt: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, tag, String(compactAt)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
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
        else if (line.startsWith('ok ')) acked.push(line.slice(3));
      }
    });
    child.once('error', reject);
    // 'exit' fires once the child is reaped: its pid is dead, so its lock is stale.
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}/${signal}: ${stderr}`));
      else resolve(acked);
    });
  });
}

const MODES = [
  { name: 'journal, folded every ~48 KB', compactAt: 48 * 1024, kills: 40 },
  { name: 'whole-file rewrites', compactAt: 0, kills: 12 },
];

describe.each(MODES)('json engine ($name): SIGKILL while writing', ({ compactAt, kills }) => {
  it(`after each of ${kills} kills the durable state validates and holds every acknowledged write exactly once`, async () => {
    const file = join(dir, 'db.json');
    // ~1 MB of data in the old whole-database format: the first runs migrate it (kills land mid-migration too).
    const db = emptyDb();
    for (let i = 0; i < 4000; i++) db.audit.push(auditEntry(`base${i}`, { pad: 'y'.repeat(200) }));
    await writeFile(file, JSON.stringify(db));

    const everAcked = new Set<string>();
    let tempsLeft = 0;
    let journalsLeft = 0;
    let unackedOnDisk = 0;
    for (let run = 0; run < kills; run++) {
      // mostly while writing, sometimes during start-up (migration, journal replay and fold)
      const delay = run % 10 === 9 ? -(100 + Math.floor(Math.random() * 600)) : Math.floor(Math.random() * 250);
      for (const id of await runAndKill(file, `r${run}`, delay, compactAt)) everAcked.add(id);
      const names = await readdir(dir);
      if (names.some((n) => n.endsWith('.tmp'))) tempsLeft += 1;
      if (names.some((n) => n.endsWith('.journal'))) journalsLeft += 1;

      const { doc } = await readJsonStore(file); // validates the document and every journal record
      const ids = doc.audit.map((a) => a.id);
      const onDisk = new Set(ids);
      expect(onDisk.size, `run ${run}: a write applied twice`).toBe(ids.length);
      expect([...everAcked].filter((id) => !onDisk.has(id)), `run ${run}: acknowledged writes missing after SIGKILL`).toEqual([]);
      // transactions are whole: both audit entries and the ledger claim, or none
      const txIds = ids.filter((id) => /^r\d+-\d+$/.test(id) && Number(id.split('-')[1]) % 4 === 1);
      expect(txIds.filter((id) => !onDisk.has(`${id}-b`)), `run ${run}: half a transaction`).toEqual([]);
      const claims = new Set(doc.ledger.map((p) => p.id));
      expect(txIds.filter((id) => !claims.has(`msg-${id}`))).toEqual([]);
      // the ticket sequence never goes back
      const highest = Math.max(1000, ...doc.tickets.map((t) => Number(t.id.slice(2))));
      expect(doc.ticketSeq).toBeGreaterThan(highest);
      if (ids.some((id) => id.startsWith(`r${run}-`) && !everAcked.has(id))) unackedOnDisk += 1;
    }
    expect(everAcked.size).toBeGreaterThan(kills); // the children really were writing
    if (compactAt > 0) expect(journalsLeft, 'kills should leave journals to replay').toBeGreaterThan(0);
    expect(tempsLeft + unackedOnDisk, 'some kills should land mid-write').toBeGreaterThan(0);

    // leftovers (stale lock, temp files, journal) do not stop a normal open, which cleans them up
    const repos = await createJsonRepositories({ file, log: silentLogger() });
    for (const id of everAcked) expect(await repos.audit.listForTarget(id, 5), id).not.toEqual([]);
    await repos.close();
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock') || n.endsWith('.journal'))).toEqual([]);
    const after = await readJsonStore(file);
    expect(after.journalRecords).toBe(0);
    expect(after.doc.audit.length).toBeGreaterThanOrEqual(4000 + everAcked.size);
  }, 240_000);
});
