/**
 * A throwaway PostgreSQL server for tests (needs Debian's `postgresql` package, see .ci/run).
 * Recipe: `initdb` into a fresh temp dir (trust auth, user `postgres`), `postgres -D DIR -k SOCKDIR -h 127.0.0.1
 * -p PORT -F` on a free loopback port (fsync off: the data is thrown away). PostgreSQL refuses to run as root, so as
 * root both run as the `postgres` user through `runuser -u postgres --`, with the temp dir chowned to it first.
 * One server per test file (start it in beforeAll), a fresh database per test where needed (`createDatabase`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface Postgres {
  /** Connection string of the server's `postgres` database (superuser `postgres`, no password). */
  url: string;
  port: number;
  /** The server's data directory (heap files, pg_wal…): tests that check what reaches the disk read it. */
  dataDir: string;
  /**
   * Create a database and return its connection string: empty, or a copy of `template` (a database nobody is
   * connected to). Names: lower-case letters, digits, `_`.
   */
  createDatabase(name?: string, opts?: { template?: string }): Promise<string>;
  /** Stop the server and delete its files. */
  stop(): Promise<void>;
}

interface Binaries { initdb: string; postgres: string }

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** `initdb` and `postgres` from PATH, else the newest /usr/lib/postgresql/<version>/bin (Debian keeps them there). */
function findBinaries(): Binaries | undefined {
  const initdb = onPath('initdb');
  const postgres = onPath('postgres');
  if (initdb && postgres) return { initdb, postgres };
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const bin = join(root, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres') };
  }
  return undefined;
}

/** uid/gid of the `postgres` user (root only runs the server as it). */
function postgresUser(): { uid: number; gid: number } | undefined {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  const uid = Number(r.stdout.trim());
  const gid = Number(g.stdout.trim());
  return r.status === 0 && g.status === 0 && uid > 0 ? { uid, gid } : undefined;
}

const isRoot = () => process.getuid?.() === 0;
const INSTALL = 'install Debian\'s `postgresql` package (apt-get install postgresql; .ci/run does)';

/** Why PostgreSQL tests cannot run here, or undefined when they can. Print it when skipping. */
export function postgresMissing(): string | undefined {
  if (!findBinaries()) return `PostgreSQL tests skipped: no initdb/postgres on PATH or in /usr/lib/postgresql/*/bin; ${INSTALL}`;
  if (isRoot() && !postgresUser()) return `PostgreSQL tests skipped: running as root needs the \`postgres\` user; ${INSTALL}`;
  if (isRoot() && !onPath('runuser') && !existsSync('/usr/sbin/runuser')) return 'PostgreSQL tests skipped: running as root needs runuser (util-linux)';
  return undefined;
}

export function postgresAvailable(): boolean {
  const why = postgresMissing();
  if (why) console.warn(why);
  return why === undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** argv that runs `cmd` as the postgres user when we are root. */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return isRoot() ? [onPath('runuser') ?? '/usr/sbin/runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) chownTree(join(path, entry.name), uid, gid);
    else chownSync(join(path, entry.name), uid, gid);
  }
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited during start-up:\n${output()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${timeoutMs} ms:\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** Signal a pid that may be gone already. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try { process.kill(pid, sig); } catch { /* gone */ }
}

/** A fresh cluster in `dir/data` (trust auth, superuser `postgres`), owned by the postgres user when we are root. */
function initCluster(bin: Binaries, dir: string): void {
  mkdirSync(join(dir, 'sock'));
  chmodSync(dir, 0o700);
  if (isRoot()) {
    const user = postgresUser() as { uid: number; gid: number };
    chownTree(dir, user.uid, user.gid);
  }
  const [cmd, args] = asPostgres(bin.initdb, ['-D', join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions']);
  const init = spawnSync(cmd, args, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}):\n${init.stdout}\n${init.stderr}`);
}

/**
 * Start a throwaway server. `durable`: keep fsync on (benchmarks measuring production-like commits); tests run
 * with fsync off, since their data is thrown away.
 */
export async function startPostgres(opts: { durable?: boolean } = {}): Promise<Postgres> {
  const missing = postgresMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'helpline-pg-'));
  const data = join(dir, 'data');
  try {
    initCluster(findBinaries() as Binaries, dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const [cmd, args] = asPostgres((findBinaries() as Binaries).postgres, ['-D', data, '-k', join(dir, 'sock'), '-h', '127.0.0.1', '-p', String(port), ...(opts.durable ? [] : ['-F']), '-c', 'max_connections=200']);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => { log = (log + chunk.toString('utf8')).slice(-4000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  /** The postmaster's own pid (under runuser it is runuser's child). */
  const serverPid = (): number => {
    try {
      return Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]) || (child.pid ?? 0);
    } catch {
      return child.pid ?? 0;
    }
  };
  // A test process that dies without its afterAll must not leave the server running.
  const onExit = () => signal(serverPid(), 'SIGQUIT');
  process.once('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      // Signal the postmaster itself (runuser does not pass SIGINT on): SIGINT is a fast shutdown that
      // disconnects clients; SIGQUIT (immediate) if it hangs. runuser exits when postgres does.
      const pid = serverPid();
      signal(pid, 'SIGINT');
      const timer = setTimeout(() => { signal(pid, 'SIGQUIT'); child.kill('SIGKILL'); }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(url, child, () => log, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }

  let made = 0;
  return {
    url,
    port,
    dataDir: data,
    async createDatabase(name = `test_${++made}`, opts = {}) {
      // An identifier cannot be a query parameter: only plain names are accepted, then quoted.
      for (const n of [name, opts.template ?? name]) if (!/^[a-z_][a-z0-9_]{0,62}$/.test(n)) throw new Error(`not a plain database name: ${n}`);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}"${opts.template ? ` TEMPLATE "${opts.template}"` : ''}`);
      } finally {
        await admin.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}
