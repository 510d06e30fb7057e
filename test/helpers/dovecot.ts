/**
 * A throwaway Dovecot IMAP server for tests (needs root and the `dovecot-imapd` package, see .ci/run).
 * Recipe: passwd-file user with uid/gid 65534, maildir under a temp dir owned by 65534, `dovecot -c CONF`
 * listening on 127.0.0.1 on a free port, plaintext auth, no TLS, every runtime path under the temp dir.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';

/** Run a command with stdio detached (dovecot daemonizes: its children would hold inherited pipes open). */
function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}`))));
  });
}

export interface DovecotOptions {
  /** Leave IDLE out of the advertised capabilities (to test the polling fallback). */
  noIdle?: boolean;
  user?: string;
  password?: string;
}

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  dir: string;
  /** IMAP APPEND a raw message to a mailbox (default INBOX) and return its UID. */
  append(raw: string | Buffer, flags?: string[], mailbox?: string): Promise<number | undefined>;
  createMailbox(name: string): Promise<void>;
  /** Drop a message straight into the INBOX maildir (as a local delivery agent would): works while the server is down. */
  deliverToMaildir(raw: string | Buffer): void;
  /** Message count per mailbox (for assertions about moved mail). */
  count(mailbox?: string): Promise<number>;
  /** Drop every client connection (`doveadm kick`), the server keeps running. */
  dropConnections(): Promise<void>;
  /** Stop the server (clients see the connection drop). Mail is kept. */
  pause(): Promise<void>;
  /** Start it again on the same port with the same mail. */
  resume(): Promise<void>;
  /** Make the server renumber a mailbox (new UIDVALIDITY, UIDs reassigned): stop, drop its uid list and indexes, start. */
  renumber(mailbox: string): Promise<void>;
  stop(): Promise<void>;
}

/** Why the Dovecot tests cannot run here, or undefined when they can. */
export function dovecotMissing(): string | undefined {
  if (!existsSync('/usr/sbin/dovecot')) return 'Dovecot (IMAP) tests skipped: /usr/sbin/dovecot not found; install it with apt-get install dovecot-imapd (.ci/run does)';
  if (process.getuid?.() !== 0) return 'Dovecot (IMAP) tests skipped: the throwaway Dovecot server runs as root here; run the tests as root (as .ci/run does)';
  return undefined;
}

/** Whether the Dovecot tests can run; when not, says why and what to install (once per test file). */
export function dovecotAvailable(): boolean {
  const why = dovecotMissing();
  if (why && !warned.has(why)) {
    warned.add(why);
    console.warn(why);
  }
  return why === undefined;
}
const warned = new Set<string>();

export async function freePort(): Promise<number> {
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

function configText(dir: string, port: number, noIdle: boolean): string {
  return [
    'protocols = imap',
    'listen = 127.0.0.1',
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    `info_log_path = ${dir}/dovecot.log`,
    'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    'mail_uid = 65534',
    'mail_gid = 65534',
    'first_valid_uid = 1',
    'first_valid_gid = 1',
    `mail_location = maildir:${dir}/mail/%u`,
    'mail_max_userip_connections = 100',
    noIdle ? 'imap_capability = IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SPECIAL-USE' : '',
    `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${dir}/passwd\n}`,
    `userdb {\n  driver = passwd-file\n  args = username_format=%u ${dir}/passwd\n}`,
    `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
    'service pop3-login {\n  inet_listener pop3 {\n    port = 0\n  }\n  inet_listener pop3s {\n    port = 0\n  }\n}',
    `service stats {\n  unix_listener stats-reader {\n    mode = 0600\n  }\n  unix_listener stats-writer {\n    mode = 0666\n  }\n}`,
    '',
  ].join('\n');
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
      s.setTimeout(500, () => { s.destroy(); resolve(false); });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not start listening on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startDovecot(opts: DovecotOptions = {}): Promise<Dovecot> {
  if (!dovecotAvailable()) throw new Error('dovecot tests need root and /usr/sbin/dovecot (apt-get install dovecot-imapd)');
  const user = opts.user ?? 'support';
  const password = opts.password ?? 'test-password';
  const dir = mkdtempSync(join(tmpdir(), 'helpline-dovecot-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'mail'), { recursive: true });
  chownSync(join(dir, 'mail'), 65534, 65534);
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}:65534:65534::${dir}/mail/${user}::\n`, { mode: 0o644 });
  const port = await freePort();
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, configText(dir, port, opts.noIdle ?? false));
  const pidFile = join(dir, 'run', 'master.pid');

  const start = async () => {
    try {
      await run('/usr/sbin/dovecot', ['-c', conf]);
    } catch (err) {
      const log = existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8').slice(-2000) : '';
      throw new Error(`dovecot failed to start: ${(err as Error).message}\n${log}`);
    }
    await waitForPort(port, 10_000);
  };
  const kick = () => run('/usr/bin/doveadm', ['-c', conf, 'kick', user]).catch(() => undefined);
  /** The master's direct children (imap, imap-login, auth, log, ...), read from /proc. */
  const childrenOf = (pid: number): number[] => {
    const out: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === pid) out.push(Number(entry));
      } catch { /* exited meanwhile */ }
    }
    return out;
  };
  /** Running (a zombie left for a non-reaping PID 1 counts as gone). */
  const alive = (pid: number): boolean => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  };
  // A graceful SIGTERM makes the master wait seconds for its children; tests do not need that.
  // Kill exactly this instance's processes (the master and its children), then wait for the port to close.
  const kill = async () => {
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!pid) return;
    const pids = [pid, ...childrenOf(pid)];
    for (const p of pids) {
      try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
    }
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && pids.some(alive)) {
      await new Promise((r) => setTimeout(r, 20));
    }
    rmSync(pidFile, { force: true });
  };

  await start();

  const withClient = async <T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user, pass: password }, logger: false });
    client.on('error', () => {});
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };

  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    dir,
    append: (raw, flags, mailbox = 'INBOX') =>
      withClient(async (c) => {
        if (mailbox !== 'INBOX') await c.mailboxCreate(mailbox).catch(() => undefined);
        const res = await c.append(mailbox, typeof raw === 'string' ? Buffer.from(raw) : raw, flags);
        return res ? res.uid : undefined;
      }),
    deliverToMaildir: (raw) => {
      const root = join(dir, 'mail', user);
      for (const sub of ['', 'new', 'cur', 'tmp']) {
        const p = join(root, sub);
        if (!existsSync(p)) {
          mkdirSync(p, { recursive: true });
          chownSync(p, 65534, 65534);
        }
      }
      const name = `${Date.now()}.M${Math.floor(Math.random() * 1e9)}P${process.pid}.helpline-test`;
      // Maildir delivery: write and chown in tmp/, then rename into new/ (a live IMAP session may move files
      // out of new/ at any moment, so nothing may touch the file once it is there).
      const staged = join(root, 'tmp', name);
      writeFileSync(staged, raw);
      chownSync(staged, 65534, 65534);
      renameSync(staged, join(root, 'new', name));
    },
    createMailbox: (name) => withClient(async (c) => { await c.mailboxCreate(name).catch(() => undefined); }),
    count: (mailbox = 'INBOX') =>
      withClient(async (c) => {
        const st = await c.status(mailbox, { messages: true }).catch(() => false as const);
        return st ? (st.messages ?? 0) : 0;
      }),
    dropConnections: kick,
    pause: kill,
    renumber: async (mailbox) => {
      await kill();
      await new Promise((r) => setTimeout(r, 1_100)); // UIDVALIDITY is time-based: make sure a second passed
      const folder = mailbox === 'INBOX' ? join(dir, 'mail', user) : join(dir, 'mail', user, `.${mailbox}`);
      for (const f of readdirSync(folder)) if (f.startsWith('dovecot')) rmSync(join(folder, f), { force: true });
      await start();
    },
    resume: start,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
