/**
 * The email bot as a child process, for kill tests: JSON file store → support → in-process MCP → agent
 * (scripted model: "Echo: <text>") → conversations → email channel (real IMAP/SMTP on loopback).
 *
 * Env: BOT_DB (file), BOT_SEED (seed file), BOT_IMAP_PORT, BOT_IMAP_USER, BOT_IMAP_PASSWORD, BOT_MAILBOX,
 * BOT_SMTP_PORT, BOT_KILL_AT (optional):
 *   after-fetch  SIGKILL itself when the first fetched message is about to be recorded (nothing durable yet)
 *   after-model  ... when the model's first answer is about to be saved (transcript not yet durable)
 *   after-queue  ... right after the first reply is durably in the outbox (not sent)
 *   after-smtp   ... when the SMTP server has accepted the first reply but before 'sent' is durable
 * SIGTERM stops it cleanly. Prints `ready` once started.
 */
import { fileURLToPath } from 'node:url';
import { createAgent, type ModelPort, type ModelResponse } from '../../src/agent/index.js';
import { createEmailChannel } from '../../src/channels/email/index.js';
import { createLogger } from '../../src/config/logger.js';
import { createConversations, createTranscripts } from '../../src/conversations/index.js';
import type { CustomerDirectory, CustomerRef, DeliverPort, IdentityResolver } from '../../src/conversations/types.js';
import { openFileStore } from '../../src/store/file-store.js';
import type { Customer, Db } from '../../src/store/schema.js';
import type { Store } from '../../src/store/types.js';
import { createSupport } from '../../src/support/index.js';
import { emailConfig } from './email-bot-fixtures.js';
import { createToolConnector } from '../../src/wiring/index.js';

type KillPoint = 'after-fetch' | 'after-model' | 'after-queue' | 'after-smtp';

function die(point: string): never {
  process.stderr.write(`email-bot: SIGKILL at ${point}\n`);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

/** Checked inside store.update, after the change is applied in memory but before it is written. */
function beforeDurable(point: KillPoint | undefined, db: Db): boolean {
  if (point === 'after-fetch') {
    const ledger = db.state['email.ledger'] as Record<string, { decision: string }> | undefined;
    return Object.values(ledger ?? {}).some((e) => e.decision === 'pending');
  }
  if (point === 'after-model') return Object.values(db.conversations).some((c) => c.messages.some((m) => (m as { role?: string }).role === 'assistant'));
  if (point === 'after-smtp') return db.outbox.some((i) => i.status === 'sent');
  return false;
}

/** Checked once an update is durable. */
function afterDurable(point: KillPoint | undefined, db: Readonly<Db>): boolean {
  return point === 'after-queue' && db.outbox.some((i) => i.status === 'pending' && i.channel === 'email');
}

function killingStore(inner: Store, point: KillPoint | undefined): Store {
  return {
    get location() { return inner.location; },
    read: () => inner.read(),
    async update(fn) {
      const r = await inner.update((db) => {
        const out = fn(db);
        if (beforeDurable(point, db)) die(point as string);
        return out;
      });
      if (afterDurable(point, inner.read())) die(point as string);
      return r;
    },
    flush: () => inner.flush(),
    close: () => inner.close(),
  };
}

const usage = { input_tokens: 10, output_tokens: 5 };
const echoModel: ModelPort = {
  name: 'scripted-echo',
  async createMessage(req): Promise<ModelResponse> {
    const last = req.messages.at(-1);
    const said = (last?.content ?? []).filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join(' ');
    return { content: [{ type: 'text', text: `Echo: ${said.split('\n')[0]}` }], stop_reason: 'end_turn', usage };
  },
};

async function main(): Promise<void> {
  const env = process.env;
  const point = (env.BOT_KILL_AT || undefined) as KillPoint | undefined;
  const log = createLogger({ level: env.BOT_LOG_LEVEL ?? 'silent', name: 'email-bot' });
  const file = await openFileStore({ file: env.BOT_DB as string, seedFile: env.BOT_SEED, log });
  const store = killingStore(file, point);
  const support = createSupport({ store, kbDir: fileURLToPath(new URL('../../data/kb', import.meta.url)), staff: { isStaff: () => false }, approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: 'http://127.0.0.1:8080', log });
  const ref = (c: Customer | undefined): CustomerRef | undefined => (c ? { id: c.id, name: c.name, email: c.email } : undefined);
  const directory: CustomerDirectory = {
    byId: (id) => ref(support.accounts.customer(id)),
    byEmail: (email) => ref(support.accounts.customerByEmail(email)),
    bySlackUserId: () => undefined,
  };
  const agent = createAgent({ model: echoModel, transcripts: createTranscripts({ store }), config: { maxRounds: 4, turnTimeoutMs: 10_000, contextTokens: 60_000, maxTokens: 512 }, log });
  const delivery: Record<string, DeliverPort> = {};
  const resolvers: Record<string, IdentityResolver> = {};
  const staff = { approvalRequested: async () => undefined, alert: async (text: string) => { log.warn({ alert: text }, 'staff alert'); } };
  const conversations = createConversations({
    store, agent, resolvers, delivery, staff, log,
    connectTools: createToolConnector({ support, log }),
    config: { concurrency: 2, queueLimit: 100, retryBaseMs: 100, retryMaxMs: 500 },
  });
  const config = emailConfig(
    { host: '127.0.0.1', port: Number(env.BOT_IMAP_PORT), user: env.BOT_IMAP_USER as string, password: env.BOT_IMAP_PASSWORD as string },
    { host: '127.0.0.1', port: Number(env.BOT_SMTP_PORT) },
    { imap: { mailbox: env.BOT_MAILBOX ?? 'INBOX', pollIntervalMs: 500 } },
  );
  const channel = createEmailChannel({
    config, store, conversations, directory, staff, log,
    tuning: { imap: { backoffBaseMs: 100, backoffMaxMs: 500, commandTimeoutMs: 10_000 }, outbox: { retryBaseMs: 100, retryMaxMs: 500, pollMs: 200 }, smtpTimeoutMs: 5_000 },
  });
  delivery.email = channel.deliver;
  resolvers.email = channel.identity;
  await conversations.start();
  await channel.start();
  process.stdout.write('ready\n');

  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await channel.stop();
      await conversations.stop();
      await file.close();
      process.exit(0);
    })();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`email-bot failed: ${String(err)}\n`);
  process.exit(1);
});
