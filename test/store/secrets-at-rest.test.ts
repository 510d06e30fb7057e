/**
 * Secrets at rest: no one-time secret (a reset or address-confirmation link, its token, the token's secret part) and
 * no new password is ever kept on disk in clear. The whole flow runs through real support, the real outbox worker and
 * SMTP sender, and the real reset and address pages (secrets-flow.ts); then every file of the JSON engine's data
 * directory is read as bytes (open, after a crash, closed, re-opened), and on a real PostgreSQL server every table
 * row by row as text and, after a CHECKPOINT, every file of the server's data directory (heap, WAL, everything) as
 * bytes, looking for each secret in every form it could be written in. Each scan must also find what is stored by
 * design (the customer's email and the links' scrypt hashes), so a scan that finds no secret is known to have read
 * where they would be. Each runs twice: with the mail sent over SMTP (its first attempt refused, so two reset links
 * are minted), and with no mail server, the links shown in the local dev mailbox (the reset mail shown twice).
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { createJsonRepositories } from '../../src/store/json/index.js';
import { createPostgresRepositories } from '../../src/store/postgres/engine.js';
import { postgresMissing, startPostgres, type Postgres } from '../helpers/postgres.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { ANN_EMAIL, expectOutcome, leaksIn, type Needle, secretsFlow, seedCustomers } from './secrets-flow.js';

/** What is in the customer's record, so a scan that finds nothing is known to have read the data. */
const PRESENT: Needle = { what: 'customer email (present by design)', bytes: Buffer.from(ANN_EMAIL) };

let sink: SmtpSink;
beforeAll(async () => { sink = await startSmtpSink(); });
afterAll(async () => { await sink.stop(); });

/** Every file under `dir` (document, journal, backups, temp files, lock: anything), as bytes. */
async function filesOf(dir: string): Promise<Array<{ name: string; bytes: Buffer }>> {
  const out: Array<{ name: string; bytes: Buffer }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push({ name: join(entry.parentPath, entry.name).slice(dir.length + 1), bytes: await readFile(join(entry.parentPath, entry.name)) });
  }
  return out;
}

/** The secrets found in any file under `dir`; each of `present` (and the customer's email) must be found somewhere. */
async function scanDir(dir: string, secrets: readonly Needle[], present: readonly Needle[] = []): Promise<string[]> {
  const files = await filesOf(dir);
  for (const p of [PRESENT, ...present]) expect(files.some((f) => f.bytes.includes(p.bytes)), `the scan of ${dir} finds the ${p.what}`).toBe(true);
  return files.flatMap((f) => leaksIn(f.name, f.bytes, secrets));
}

const MAIL = [{ name: 'SMTP', devMailbox: false }, { name: 'dev mailbox', devMailbox: true }];

describe('secrets at rest: JSON engine', () => {
  for (const mode of [{ name: 'journal', compactAtBytes: undefined }, { name: 'whole-file rewrites', compactAtBytes: 0 }]) for (const mail of MAIL) {
    it(`${mode.name}, ${mail.name}: no file holds a link, token or new password (open, after a crash, closed, re-opened)`, async () => {
      const root = await mkdtemp(join(tmpdir(), 'helpline-secrets-'));
      const dir = join(root, 'data');
      const file = join(dir, 'db.json');
      const open = (f = file) => createJsonRepositories({ file: f, log: silentLogger(), compactAtBytes: mode.compactAtBytes });
      try {
        const flow = secretsFlow(sink, mail);
        let repos = await open();
        await seedCustomers(repos);
        await flow.approve(repos);
        // A restart while the reset mail waits (SMTP down, a deploy): the store is opened with the mail still unsent.
        await repos.close();
        repos = await open();
        await flow.useLinks(repos);
        await flow.afterwards(repos);
        const hashes = await flow.storedHashes(repos);
        expect(await scanDir(dir, flow.secrets, hashes), 'data directory, store open').toEqual([]);

        // What a SIGKILL now would leave, opened elsewhere: the journal is replayed and folded in.
        const crashed = join(root, 'crashed');
        await mkdir(crashed);
        for (const name of await readdir(dir)) if (!name.endsWith('.lock')) await copyFile(join(dir, name), join(crashed, name));
        expect((await readdir(crashed)).includes('db.json.journal')).toBe(mode.compactAtBytes === undefined);
        const recovered = await open(join(crashed, 'db.json'));
        await expectOutcome(recovered);
        expect(await scanDir(crashed, flow.secrets, hashes), 'after a crash, replayed').toEqual([]);
        await recovered.close();
        expect(await scanDir(crashed, flow.secrets, hashes), 'after a crash, replayed and closed').toEqual([]);

        await repos.close();
        expect(await scanDir(dir, flow.secrets, hashes), 'data directory, store closed').toEqual([]);
        const again = await open();
        await expectOutcome(again);
        expect(await scanDir(dir, flow.secrets, hashes), 'data directory, re-opened').toEqual([]);
        await again.close();
        expect(await scanDir(dir, flow.secrets, hashes), 'data directory, closed again').toEqual([]);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    });
  }
});

const missing = postgresMissing();
if (missing) console.warn(missing);

describe.skipIf(missing !== undefined)('secrets at rest: PostgreSQL', () => {
  let server: Postgres | undefined;
  beforeAll(async () => { server = await startPostgres(); });
  afterAll(async () => { await server?.stop(); });

  async function checkpoint(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('CHECKPOINT');
    } finally {
      await client.end();
    }
  }

  /** Every row of every table of the public schema, as text (`SELECT t::text FROM <table> t`). */
  async function scanTables(url: string, secrets: readonly Needle[]): Promise<string[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const tables = await client.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`);
      expect(tables.rows.map((t) => t.name)).toEqual(expect.arrayContaining(['customers', 'outbox', 'reset_tokens', 'address_changes', 'audit_log']));
      const leaks: string[] = [];
      let present = false;
      for (const { name } of tables.rows) {
        const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM public.${pg.escapeIdentifier(name)} t`);
        const bytes = Buffer.from(rows.rows.map((r) => r.row).join('\n'), 'utf8');
        present ||= bytes.includes(PRESENT.bytes);
        leaks.push(...leaksIn(name, bytes, secrets));
      }
      expect(present, 'the scan reads the data').toBe(true);
      return leaks;
    } finally {
      await client.end();
    }
  }

  for (const mail of MAIL) it(`${mail.name}: no table, heap file or WAL segment holds a link, token or new password`, async () => {
    const url = await (server as Postgres).createDatabase(`secrets_at_rest_${mail.devMailbox ? 'dev' : 'smtp'}`);
    const flow = secretsFlow(sink, mail);
    const open = () => createPostgresRepositories({ databaseUrl: url, log: silentLogger() });
    let repos = await open();
    await seedCustomers(repos);
    await flow.approve(repos);
    await repos.close();
    repos = await open();
    await flow.useLinks(repos);
    await flow.afterwards(repos);
    const hashes = await flow.storedHashes(repos);
    await repos.close();
    expect(await scanTables(url, flow.secrets)).toEqual([]);
    // What reached the disk: every heap file, the WAL (pg_wal) and everything else under the data directory, after a
    // checkpoint has written the shared buffers out. An UPDATE that scrubs a row leaves its old version and the WAL
    // record of the first write behind: only a secret never written to the database is not there.
    await checkpoint(url);
    expect(await scanDir((server as Postgres).dataDir, flow.secrets, hashes), 'PostgreSQL data directory').toEqual([]);
  });
});
