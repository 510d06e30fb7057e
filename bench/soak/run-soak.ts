/**
 * The fault soak: rounds of steady Slack and email traffic against the real bot (a child process running the
 * compiled src/main.ts under the start script's node flags, as npm start runs it) while IMAP connections are
 * dropped, the model answers 529 for a while, SMTP answers 4xx, and (in every round but the steady tail) the bot is
 * SIGKILLed and restarted. Everything listens on 127.0.0.1. Bounded: a fixed number of rounds and a drain deadline.
 *
 * `engine: 'postgres'`: two bots on one throwaway PostgreSQL database (seeded with `importIntoPostgres`); Slack
 * deliveries and staff clicks go to either live bot, as a load balancer would, and in each round one of the two is
 * SIGKILLed (alternating) and restarted.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { silentLogger } from '../../src/config/logger.js';
import { readJsonStore, type StoreDocument } from '../../src/store/json/index.js';
import { exportFromPostgres, importIntoPostgres } from '../../src/store/transfer/index.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Db } from '../../src/store/schema.js';
import { dovecotAvailable, freePort, startDovecot } from '../../test/helpers/dovecot.js';
import { AUTHSERV, SUPPORT_FROM } from '../../test/helpers/email-bot-fixtures.js';
import { startFakeSlack } from '../../test/helpers/fake-slack.js';
import { postgresMissing, startPostgres, type Postgres } from '../../test/helpers/postgres.js';
import { startSmtpSink } from '../../test/helpers/smtp-sink.js';
import { compileProject } from '../compile.js';
import { sleep } from '../lib.js';
import { nodeFlags, startScript } from '../start-flags.js';
import { createBot, type Bot } from './bot.js';
import { startSoakModel } from './model.js';
import { createEmailTraffic, createSlackTraffic, createStaffClicker, type SlackCustomer } from './traffic.js';
import { failedChecks, verify, type Check } from './verify.js';

export interface SoakOptions {
  quick: boolean;
  say(line: string): void;
  /** Keep the temp dir (bot log, store) for inspection. */
  keep?: boolean;
  /** `json` (default): one bot on the JSON file. `postgres`: two bots on one PostgreSQL database. */
  engine?: 'json' | 'postgres';
}

export interface SoakResult {
  checks: Check[];
  figures: Record<string, string | number>;
  faults: Record<string, number>;
  rounds: Array<{ round: number; killed: boolean | string; slack: number; email: number; rssMb: number | undefined; ms: number }>;
  dir: string;
  ok: boolean;
}

const SECRET = 'soak-signing-secret';
const STAFF_CHANNEL = 'CSTAFF';

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  if (!dovecotAvailable()) throw new Error('the soak needs root and /usr/sbin/dovecot (Debian dovecot-imapd)');
  const engine = o.engine ?? 'json';
  const pgMissing = engine === 'postgres' ? postgresMissing() : undefined;
  if (pgMissing) throw new Error(`the two-instance soak needs PostgreSQL: ${pgMissing}`);
  const rounds = o.quick ? 4 : 12;
  const tail = o.quick ? 2 : 4; // last rounds without SIGKILL: RSS trend of one process under the same load
  const roundMs = o.quick ? 3000 : 5000;
  const slackPerRound = o.quick ? 6 : 15;
  const emailPerRound = o.quick ? 4 : 10;
  const drainMs = o.quick ? 150_000 : 240_000;

  const dir = await mkdtemp(join(tmpdir(), 'helpline-soak-'));
  const dataFile = join(dir, 'db.json');
  const seed = JSON.parse(await readFile(resolve('data/seed.json'), 'utf8')) as Db;
  const customers: SlackCustomer[] = seed.customers.filter((c) => c.slackUserId).map((c) => ({
    userId: c.slackUserId!, cards: seed.cards.filter((k) => k.customerId === c.id && k.status === 'active').map((k) => k.last4),
  }));
  const customerEmails = seed.customers.map((c) => c.email);

  o.say('soak: starting Dovecot, SMTP sink, fake Slack, fake model');
  const dovecot = await startDovecot();
  const sink = await startSmtpSink();
  const fake = await startFakeSlack();
  const model = await startSoakModel();
  let pg: Postgres | undefined;
  let databaseUrl: string | undefined;
  if (engine === 'postgres') {
    o.say('soak: starting PostgreSQL and importing the demo data');
    pg = await startPostgres();
    databaseUrl = await pg.createDatabase('soak');
    await importIntoPostgres({ source: resolve('data/seed.json'), databaseUrl, log: silentLogger() });
  }
  const instances = engine === 'postgres' ? 2 : 1;
  const ports = await Promise.all(Array.from({ length: instances }, async () => ({ slack: await freePort(), http: await freePort() })));
  const env: Record<string, string> = {
    NODE_ENV: 'production', LOG_LEVEL: 'info',
    DATA_FILE: dataFile, SEED_FILE: resolve('data/seed.json'), KB_DIR: resolve('data/kb'),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ANTHROPIC_API_KEY: 'soak-test-key', ANTHROPIC_BASE_URL: model.fake.url, ANTHROPIC_MODEL: 'claude-soak',
    ANTHROPIC_MAX_RETRIES: '1', ANTHROPIC_TIMEOUT_MS: '10000',
    MODEL_RETRY_BASE_MS: '250', MODEL_RETRY_MAX_MS: '2000', CONVERSATION_CONCURRENCY: '8',
    SLACK_BOT_TOKEN: 'xoxb-soak', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl,
    SLACK_STAFF_CHANNEL: STAFF_CHANNEL, SLACK_STAFF_USER_IDS: 'USTAFF,USTAFF2',
    EMAIL_IMAP_HOST: dovecot.host, EMAIL_IMAP_PORT: String(dovecot.port), EMAIL_IMAP_SECURE: 'false',
    EMAIL_IMAP_USER: dovecot.user, EMAIL_IMAP_PASSWORD: dovecot.password, EMAIL_POLL_INTERVAL_MS: '500',
    EMAIL_SMTP_HOST: sink.host, EMAIL_SMTP_PORT: String(sink.port), EMAIL_SMTP_SECURE: 'false',
    EMAIL_FROM: SUPPORT_FROM, EMAIL_TRUSTED_AUTHSERV_ID: AUTHSERV,
    EMAIL_REPLY_BUDGET_PER_SENDER_HOUR: '1000', EMAIL_REPLY_BUDGET_PER_THREAD_HOUR: '1000',
    HTTP_HOST: '127.0.0.1', PUBLIC_BASE_URL: `http://127.0.0.1:${ports[0]!.http}`,
  };
  const build = compileProject();
  const bots: Bot[] = ports.map((p, i) => createBot({
    args: [...nodeFlags(startScript()), build.path('src/main.ts')],
    env: { ...env, SLACK_PORT: String(p.slack), HTTP_PORT: String(p.http) },
    healthUrl: `http://127.0.0.1:${p.http}/healthz`, logFile: join(dir, `bot${instances > 1 ? i + 1 : ''}.log`),
  }));
  const bot = bots[0]!;
  // A load balancer: each delivery goes to the next bot that is running (to any, when none is).
  let turn = 0;
  const slackUrl = () => {
    const live = bots.map((b, i) => (b.pid() ? i : -1)).filter((i) => i >= 0);
    const i = live.length ? live[turn++ % live.length]! : turn++ % bots.length;
    return `http://127.0.0.1:${ports[i]!.slack}/slack/events`;
  };
  const faults = { imap_drops: 0, model_529_windows: 0, model_529_answers: 0, smtp_4xx_scripted: 0, sigkills: 0, restarts: 0 };
  const roundsOut: SoakResult['rounds'] = [];
  const rssTail: number[] = [];
  const slack = createSlackTraffic({ fake, url: slackUrl, secret: SECRET, customers, retryWindowMs: 90_000 });
  const email = createEmailTraffic({ dovecot, customerEmails });
  const clicker = createStaffClicker({ fake, url: slackUrl, secret: SECRET, staffChannel: STAFF_CHANNEL, staff: ['USTAFF', 'USTAFF2'], retryWindowMs: 90_000 });

  try {
    for (const b of bots) await b.start();
    for (let r = 1; r <= rounds; r++) {
      const victim = bots[(r - 1) % bots.length]!;
      const killed = r <= rounds - tail;
      const started = Date.now();
      const before = { slack: slack.sent.length, email: email.sent.length };
      const at = (frac: number) => started + frac * roundMs;
      const steps: Array<[number, () => Promise<void> | void]> = [];
      for (let k = 0; k < slackPerRound; k++) steps.push([k / slackPerRound, () => slack.question(customers[(r * slackPerRound + k) % customers.length]!)]);
      for (let k = 0; k < emailPerRound; k++) steps.push([k / emailPerRound + 0.01, () => email.send()]);
      steps.push([0.05, () => { slack.deactivation(); }]);
      steps.push([0.25, async () => { await dovecot.dropConnections(); faults.imap_drops++; }]);
      steps.push([0.35, () => { model.setOverloaded(true); faults.model_529_windows++; }]);
      steps.push([0.55, () => model.setOverloaded(false)]);
      steps.push([0.45, () => { sink.failNext({ code: 451, message: '4.3.0 Temporary failure, try again later' }, 2); faults.smtp_4xx_scripted += 2; }]);
      if (killed) {
        steps.push([0.7, async () => {
          await victim.kill();
          faults.sigkills++;
          await sleep(200);
          await victim.start();
          faults.restarts++;
        }]);
      }
      steps.sort((a, b) => a[0] - b[0]);
      for (const [frac, act] of steps) {
        const wait = at(frac) - Date.now();
        if (wait > 0) await sleep(wait);
        await act();
      }
      const left = at(1) - Date.now();
      if (left > 0) await sleep(left);
      const rss = bot.rssMb();
      if (!killed && rss !== undefined) rssTail.push(rss);
      roundsOut.push({ round: r, killed: killed && bots.length > 1 ? `bot ${bots.indexOf(victim) + 1}` : killed, slack: slack.sent.length - before.slack, email: email.sent.length - before.email, rssMb: rss, ms: Date.now() - started });
      o.say(`soak: round ${r}/${rounds} done${killed ? ` (bot ${bots.indexOf(victim) + 1} killed and restarted)` : ''}, RSS ${rss?.toFixed(0)} MB`);
    }
    model.setOverloaded(false);

    o.say('soak: waiting for every message to be answered');
    const deadline = Date.now() + drainMs;
    const answered = () => {
      const posts = fake.callsOf('chat.postMessage');
      const s = slack.sent.every((m) => posts.some((p) => p.args['channel'] === m.channel && p.args['thread_ts'] === m.ts && String(p.args['text'] ?? '').includes(`(${m.marker})`)));
      const e = email.sent.every((m) => sink.messages.some((x) => x.inReplyTo === m.messageId));
      return s && e;
    };
    while (!answered() && Date.now() < deadline) await sleep(500);
    const drainedIn = drainMs - (deadline - Date.now());
    await slack.settled();
    await clicker.close();
    await sleep(2000); // duplicates, if any, arrive now
    const rssAfterDrain = bot.rssMb(); // reported, not part of the trend: no traffic runs now
    const exitCodes: Array<number | null> = [];
    for (const b of bots) exitCodes.push(await b.stop());
    faults.model_529_answers = model.counts.overloaded;

    const store = await readStore(dir, dataFile, databaseUrl);
    const v = verify({ slack: slack.sent, email: email.sent, fake, sink, store, clickedApprovals: [...clicker.clicked.keys()], rssTail });
    const crashes = bots.flatMap((b) => b.crashes);
    v.checks.push({ name: 'graceful stop and no unexpected exits', ok: exitCodes.every((c) => c === 0) && crashes.length === 0, detail: `exit code ${exitCodes.join(', ')}; ${crashes.length ? crashes.join('; ') : 'no crashes'}` });
    const figures = { ...v.figures, engine: `${engine}${bots.length > 1 ? ` (${bots.length} instances)` : ''}`, rss_after_drain_mb: Math.round(rssAfterDrain ?? 0), drain_ms: drainedIn, bot_starts: bots.reduce((a, b) => a + b.starts, 0), model_calls_ok: model.counts.ok };
    return { checks: v.checks, figures, faults, rounds: roundsOut, dir, ok: failedChecks(v.checks).length === 0 };
  } finally {
    for (const b of bots) {
      await b.stop().catch(() => undefined);
      b.close();
    }
    await pg?.stop();
    build.dispose();
    await clicker.close().catch(() => undefined);
    await model.fake.close();
    await fake.close();
    await sink.stop();
    await dovecot.stop();
    if (!o.keep) await rm(dir, { recursive: true, force: true });
  }
}

/** The store after the run as a JSON document: the JSON engine's file, or PostgreSQL exported into one. */
async function readStore(dir: string, dataFile: string, databaseUrl: string | undefined): Promise<{ doc: StoreDocument; detail: string } | { error: string }> {
  try {
    if (databaseUrl) {
      const file = join(dir, 'exported.json');
      const r = await exportFromPostgres({ databaseUrl, file, force: true, log: silentLogger() });
      return { doc: (await readJsonStore(file)).doc, detail: `PostgreSQL, exported: ${(r.bytes / 1024).toFixed(0)} KB` };
    }
    const read = await readJsonStore(dataFile);
    return { doc: read.doc, detail: `JSON file, ${read.journalRecords} journal records on the document` };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
