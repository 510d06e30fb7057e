/**
 * Email benchmark: N messages (1,000; quick 100) waiting in a real Dovecot INBOX, the real email channel over
 * the real conversations/agent/MCP stack on the durable file store, an instant model and a local SMTP sink.
 * Judged: messages answered per second ≥ 0.5 × the raw rate of an imapflow fetch + mailparser parse of the same
 * mailbox, measured in the same run. Checked: every message answered exactly once (one SMTP reply each, to its
 * sender, In-Reply-To its Message-ID).
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { createEmailChannel } from '../src/channels/email/index.js';
import { silentLogger } from '../src/config/logger.js';
import { createJsonRepositories } from '../src/store/json/index.js';
import { createDirectory } from '../src/wiring/index.js';
import { dovecotAvailable, startDovecot, type Dovecot } from '../test/helpers/dovecot.js';
import { emailConfig, rawMail } from '../test/helpers/email-bot-fixtures.js';
import { fmt, sleep, type Bench, type BenchResult } from './lib.js';
import { deliverToInbox } from './maildir.js';
import { startSinkProcess } from './sink-process.js';
import { buildStack, scriptedModel } from './stack.js';

const TARGET = 0.5;

/** imapflow fetch of every message's source + mailparser parse: the raw rate the bot is compared with. */
async function rawRate(d: Dovecot, expected: number): Promise<{ perSecond: number; count: number; cpuMsPerMail: number }> {
  const client = new ImapFlow({ host: d.host, port: d.port, secure: false, doSTARTTLS: false, auth: { user: d.user, pass: d.password }, logger: false });
  client.on('error', () => {});
  await client.connect();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let count = 0;
  const lock = await client.getMailboxLock('INBOX');
  try {
    for await (const msg of client.fetch('1:*', { uid: true, envelope: true, source: true, flags: true })) {
      if (msg.source) {
        const parsed = await simpleParser(msg.source, { skipHtmlToText: false });
        if (parsed.messageId) count++;
      }
    }
  } finally {
    lock.release();
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await client.logout().catch(() => client.close());
  if (count !== expected) throw new Error(`raw fetch saw ${count} messages, expected ${expected}`);
  return { perSecond: count / (ms / 1000), count, cpuMsPerMail: (cpu.user + cpu.system) / 1000 / count };
}

export const emailBench: Bench = {
  name: 'email',
  description: 'N mails in Dovecot answered through SMTP vs raw imapflow fetch + mailparser rate',
  async run({ quick, say }): Promise<BenchResult> {
    const n = Number(process.env.BENCH_EMAIL_N) || (quick ? 100 : 1000); // BENCH_EMAIL_N: a longer run (steady state)
    if (!dovecotAvailable()) {
      return { name: 'email', figures: {}, target: `answered/s ≥ ${TARGET} × raw`, pass: false, correct: true, notes: ['skipped: needs root and /usr/sbin/dovecot'] };
    }
    const dir = await mkdtemp(join(tmpdir(), 'helpline-bench-email-'));
    const dovecot = await startDovecot();
    const sink = await startSinkProcess(); // its own process, as a real SMTP server is: not the bot's CPU
    try {
      say(`email: filling the INBOX with ${n} messages`);
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const messageId = `<bench-${i}@customers.example>`;
        ids.push(messageId);
        deliverToInbox(dovecot, rawMail({ from: `Customer ${i} <customer${i}@customers.example>`, subject: `Question ${i}`, messageId, dmarcPass: true, body: `Hello, what are your opening hours? (message ${i})` }));
      }
      say('email: raw imapflow fetch + mailparser parse');
      const raw = await rawRate(dovecot, n);

      const file = join(dir, 'db.json');
      await copyFile(resolve('data/seed.json'), file);
      const repos = await createJsonRepositories({ file, log: silentLogger() });
      const model = scriptedModel();
      const stack = await buildStack({ repos, model, concurrency: 8 });
      const directory = createDirectory(stack.support.accounts);
      const channel = createEmailChannel({
        config: emailConfig(dovecot, sink, { replyBudgetPerSenderHour: 100, replyBudgetPerThreadHour: 100 }),
        repos, conversations: stack.conversations, directory, log: silentLogger(), renderSystemMail: stack.support.systemMail.render,
      });
      stack.delivery['email'] = channel.deliver;
      stack.resolvers.email = channel.identity;
      say(`email: answering ${n} messages`);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const elu0 = performance.eventLoopUtilization();
      await channel.start();
      const deadline = Date.now() + (quick ? 60_000 : 300_000);
      let acceptedMs = Number.NaN;
      let firstMs = Number.NaN;
      let lastTick = 0;
      const seeded = await repos.ledger.count();
      let inLedger = 0; // every new entry is one of the bench mails
      const ledgered = () => inLedger;
      const counter = setInterval(() => { void repos.ledger.count().then((c) => { inLedger = c - seeded; }); }, 25);
      while (sink.count() < n && Date.now() < deadline) {
        if (Number.isNaN(acceptedMs) && ledgered() >= n) acceptedMs = performance.now() - t0;
        if (Number.isNaN(firstMs) && sink.count() > 0) firstMs = performance.now() - t0;
        await sleep(25);
        if (process.env.BENCH_EMAIL_PROGRESS && Math.floor((performance.now() - t0) / 250) !== lastTick) {
          lastTick = Math.floor((performance.now() - t0) / 250);
          say(`email: ${ledgered()} in the ledger, ${sink.count()} answered after ${lastTick * 250} ms`);
        }
      }
      const answeredMs = performance.now() - t0;
      clearInterval(counter);
      const storeStats = repos.stats();
      const cpu = process.cpuUsage(cpu0);
      const elu = performance.eventLoopUtilization(elu0).utilization;
      await sleep(1000); // a duplicate would show up now
      await channel.stop();
      await stack.stop();
      await repos.close();

      const mails = await sink.collect();
      const perMessage = new Map<string, number>();
      const notes: string[] = [];
      let misaddressed = 0;
      for (const m of mails) {
        if (m.inReplyTo) perMessage.set(m.inReplyTo, (perMessage.get(m.inReplyTo) ?? 0) + 1);
        const i = /^<bench-(\d+)@/.exec(m.inReplyTo ?? '')?.[1];
        if (m.to.join(',') !== `customer${i ?? '?'}@customers.example`) misaddressed++;
      }
      if (misaddressed) notes.push(`${misaddressed} replies not addressed to the message's sender`);
      const missing = ids.filter((id) => !perMessage.has(id)).length;
      const dup = [...perMessage.values()].filter((c) => c > 1).length;
      if (missing) notes.push(`${missing} messages not answered`);
      if (dup) notes.push(`${dup} messages answered more than once`);
      if (mails.length !== n) notes.push(`${mails.length} mails sent for ${n} messages`);
      const answeredPerS = mails.length / (answeredMs / 1000);
      const ratio = answeredPerS / raw.perSecond;
      return {
        name: 'email',
        figures: {
          messages: n, raw_fetch_parse_per_s: Math.round(raw.perSecond), answered: mails.length,
          first_answer_ms: Math.round(firstMs), all_in_ledger_ms: Math.round(acceptedMs), answer_all_ms: Math.round(answeredMs), answered_per_s: fmt(answeredPerS, 1), ratio_to_raw: fmt(ratio, 3), model_turns: model.calls,
          disk_writes_per_mail: fmt(storeStats.writes / Math.max(1, mails.length), 2),
          raw_cpu_ms_per_mail: fmt(raw.cpuMsPerMail, 2), bot_cpu_ms_per_mail: fmt((cpu.user + cpu.system) / 1000 / Math.max(1, mails.length), 2), main_thread_busy: fmt(elu, 2),
        },
        ratio: fmt(ratio, 3),
        target: `answered/s ≥ ${TARGET} × raw fetch+parse/s`,
        pass: ratio >= TARGET,
        correct: notes.length === 0, problems: notes,
        notes: [`intake alone (every mail in the ledger): ${fmt(n / (acceptedMs / 1000), 1)} mails/s; replies sent: ${fmt(answeredPerS, 1)}/s; raw fetch + parse: ${Math.round(raw.perSecond)}/s`,
          'cpu ms per mail: all threads of the process (main, GC and JIT helpers, libuv pool), not Dovecot or the sink; main_thread_busy: event-loop utilisation while answering'],
      };
    } finally {
      await sink.stop();
      await dovecot.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
