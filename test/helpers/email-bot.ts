/**
 * The email bot as a child process, for kill tests: JSON file engine → support → in-process MCP → agent
 * (scripted model: "Echo: <text>") → conversations → email channel (real IMAP/SMTP on loopback).
 *
 * Env: BOT_DB (file), BOT_SEED (seed file), BOT_IMAP_PORT, BOT_IMAP_USER, BOT_IMAP_PASSWORD, BOT_MAILBOX,
 * BOT_SMTP_PORT, BOT_KILL_AT (optional):
 *   after-fetch, after-model, after-queue, after-smtp: where it SIGKILLs itself (email-bot-kill.ts)
 * SIGTERM stops it cleanly. Prints `ready` once started.
 */
import { fileURLToPath } from 'node:url';
import { createAgent, type ModelPort, type ModelResponse } from '../../src/agent/index.js';
import { createEmailChannel } from '../../src/channels/email/index.js';
import { createLogger } from '../../src/config/logger.js';
import { channelPorts, createConversations, createTranscripts } from '../../src/conversations/index.js';
import type { DeliverPort, IdentityResolver } from '../../src/conversations/types.js';
import { openRepositories } from '../../src/store/open.js';
import { createSupport } from '../../src/support/index.js';
import { createDirectory, createToolConnector } from '../../src/wiring/index.js';
import { emailConfig } from './email-bot-fixtures.js';
import { killingRepos, type KillPoint } from './email-bot-kill.js';

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
  const mailbox = env.BOT_MAILBOX ?? 'INBOX';
  const opened = await openRepositories({ dataFile: env.BOT_DB as string, seedFile: env.BOT_SEED, log });
  const repos = killingRepos(opened.repos, point);
  const support = createSupport({ repos, kbDir: fileURLToPath(new URL('../../data/kb', import.meta.url)), staff: { isStaff: () => false }, approvalTtlMinutes: 60, resetTokenTtlMinutes: 30, publicBaseUrl: 'http://127.0.0.1:8080', log });
  const directory = createDirectory(support.accounts);
  const agent = createAgent({ model: echoModel, transcripts: createTranscripts({ repos }), config: { maxRounds: 4, turnTimeoutMs: 10_000, contextTokens: 60_000, maxTokens: 512 }, log });
  const delivery: Record<string, DeliverPort> = {};
  const resolvers: Record<string, IdentityResolver> = {};
  const staff = { approvalRequested: async () => undefined, alert: async (text: string) => { log.warn({ alert: text }, 'staff alert'); } };
  const conversations = createConversations({
    repos, agent, channels: channelPorts(delivery, resolvers), staff, log, holder: `email-bot:${process.pid}`,
    connectTools: createToolConnector({ support, log }),
    config: { concurrency: 2, queueLimit: 100, retryBaseMs: 100, retryMaxMs: 500 },
  });
  const config = emailConfig(
    { host: '127.0.0.1', port: Number(env.BOT_IMAP_PORT), user: env.BOT_IMAP_USER as string, password: env.BOT_IMAP_PASSWORD as string },
    { host: '127.0.0.1', port: Number(env.BOT_SMTP_PORT) },
    { imap: { mailbox, pollIntervalMs: 500 } },
  );
  const channel = createEmailChannel({
    config, repos, instanceId: `email-bot:${process.pid}`, conversations, directory, staff, log, renderSystemMail: support.systemMail.render,
    // A restarted bot has a new instance name: the killed one's poller lease must end before it polls.
    tuning: { imap: { backoffBaseMs: 100, backoffMaxMs: 500, commandTimeoutMs: 10_000 }, lease: { ttlMs: 2_000, renewMs: 500, retryMs: 250 }, outbox: { retryBaseMs: 100, retryMaxMs: 500, pollMs: 200, claimMs: 2_000 }, smtpTimeoutMs: 5_000 },
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
      await opened.repos.close();
      process.exit(0);
    })();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`email-bot failed: ${String(err)}\n`);
  process.exit(1);
});
