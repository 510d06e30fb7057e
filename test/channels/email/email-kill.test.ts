/**
 * Kill the whole bot (child process: JSON file engine + support + MCP + agent + conversations + email channel)
 * with SIGKILL at each step of answering an email, restart it, and check every inbound email got exactly
 * one reply. The only allowed duplicate: SMTP accepted the mail but the bot died before recording it —
 * then the resend carries the same Message-ID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/config/logger.js';
import { openRepositories } from '../../../src/store/open.js';
import { emptyDb, type Db } from '../../../src/store/schema.js';
import { dovecotAvailable, startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { rawMail, sleep, waitUntil } from '../../helpers/email-bot-fixtures.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const POINTS = ['after-fetch', 'after-model', 'after-queue', 'after-smtp'] as const;

function seed(): Db {
  const db = emptyDb();
  db.customers.push({ id: 'cus_001', name: 'Alice Example', email: 'alice@customer.test', createdAt: '2025-01-01T00:00:00.000Z', address: { line1: '1 Main St', city: 'London', postalCode: 'N1 1AA', country: 'GB' } });
  return db;
}

describe.skipIf(!dovecotAvailable())('email bot killed (SIGKILL) at each step and restarted', () => {
  let dovecot: Dovecot;
  let sink: SmtpSink;
  let dir: string;
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    [dovecot, sink] = await Promise.all([startDovecot(), startSmtpSink()]);
    dir = mkdtempSync(join(tmpdir(), 'helpline-email-kill-'));
    writeFileSync(join(dir, 'seed.json'), JSON.stringify(seed()));
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all([dovecot?.stop(), sink?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  function spawnBot(mailbox: string, db: string, killAt?: string): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/helpers/email-bot.ts')], {
      cwd: REPO,
      env: {
        ...process.env,
        BOT_DB: db, BOT_SEED: join(dir, 'seed.json'), BOT_MAILBOX: mailbox,
        BOT_IMAP_PORT: String(dovecot.port), BOT_IMAP_USER: dovecot.user, BOT_IMAP_PASSWORD: dovecot.password,
        BOT_SMTP_PORT: String(sink.port), BOT_KILL_AT: killAt ?? '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout?.resume();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
      child.once('exit', (code, signal) => { children.delete(child); resolve({ code, signal, stderr }); });
    });
    return { child, exited };
  }

  const replies = (id: string) => sink.messages.filter((m) => m.inReplyTo === id);

  for (const point of POINTS) {
    it(`every email is answered once after a SIGKILL ${point}`, async () => {
      const mailbox = `K-${point}`;
      const db = join(dir, `${point}.json`);
      await dovecot.createMailbox(mailbox);
      const ids = [`<${point}-1@customer.test>`, `<${point}-2@other.test>`];
      await dovecot.append(rawMail({ from: 'Alice <alice@customer.test>', subject: `Help ${point}`, messageId: ids[0]!, body: `first ${point}`, dmarcPass: true }), [], mailbox);
      await dovecot.append(rawMail({ from: 'olga@other.test', subject: `Question ${point}`, messageId: ids[1]!, body: `second ${point}` }), [], mailbox);

      const first = spawnBot(mailbox, db, point);
      const killed = await first.exited;
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      expect(killed.stderr).toContain(`SIGKILL at ${point}`);

      const second = spawnBot(mailbox, db);
      await waitUntil(() => ids.every((id) => replies(id).length >= 1), 40_000, `replies to ${ids.join(', ')}`);
      await sleep(800); // a duplicate would arrive now
      second.child.kill('SIGTERM');
      const stopped = await second.exited;
      expect(stopped.code, stopped.stderr).toBe(0);

      const counts = ids.map((id) => replies(id).length);
      for (const id of ids) {
        const r = replies(id);
        expect(new Set(r.map((m) => m.messageId)).size, `${id} answered with one Message-ID`).toBe(1);
        expect(r[0]!.text).toContain('Echo: ');
        expect(r[0]!.to).toEqual([id.includes('customer.test') ? 'alice@customer.test' : 'olga@other.test']);
      }
      if (point === 'after-smtp') {
        // SMTP accepted the first reply, the bot died before recording it: resent once, same Message-ID.
        expect([...counts].sort()).toEqual([1, 2]);
      } else {
        expect(counts).toEqual([1, 1]);
      }
      // What the store holds afterwards, read through the repositories (the bot has exited: its lock is gone).
      const { repos } = await openRepositories({ dataFile: db, log: silentLogger() });
      try {
        for (const id of ids) {
          expect((await repos.outbox.findReply(`email:${id}`, `email:${id}`, 'reply'))?.status, id).toBe('sent');
          expect((await repos.ledger.get(`email:${id}`))?.status, id).toBe('done');
        }
        expect(await repos.outbox.countPending()).toBe(0);
      } finally {
        await repos.close();
      }
    }, 90_000);
  }
});
