/**
 * `npm run mcp -- --customer cus_001 | --staff U123 [--data data/db.json]`: the Helpline tools over
 * stdio for any MCP client. stdout is the protocol; logs go to stderr.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../config/logger.js';
import { isAppError } from '../errors.js';
import { openRepositories } from '../store/open.js';
import { createSupport } from '../support/index.js';
import { createMcpServer } from './server.js';
import { parseStdioArgs, STDIO_USAGE } from './stdio-args.js';

async function main(): Promise<void> {
  const args = parseStdioArgs(process.argv.slice(2));
  if (args.help) {
    process.stderr.write(`${STDIO_USAGE}\n`);
    return;
  }
  // MCP clients (Claude Desktop) start servers from any folder: `--data` is taken relative to where we
  // were started, then `.env` and the configured relative paths (seed, KB, default data) to the project.
  const dataFile = args.dataFile === undefined ? undefined : resolve(args.dataFile);
  process.chdir(fileURLToPath(new URL('../..', import.meta.url)));
  const config = loadConfig();
  const log = createLogger({ level: config.env.LOG_LEVEL, name: 'helpline-mcp' }); // fd 2 (stderr)
  // --data names a JSON store; without it, the configured engine (DATABASE_URL or DATA_FILE)
  const opened = await openRepositories({ databaseUrl: dataFile ? undefined : config.databaseUrl, dataFile: dataFile ?? config.dataFile, seedFile: config.seedFile, log });
  const { repos } = opened;
  const cliStaff = args.caller.kind === 'staff' ? args.caller.staffId : undefined;
  const support = createSupport({
    repos,
    kbDir: config.kbDir,
    // A local admin tool: the staff id named on the command line is trusted for this process.
    staff: { isStaff: (id) => id === cliStaff || config.slack.staffUserIds.includes(id) },
    approvalTtlMinutes: config.approvals.ttlMinutes,
    resetTokenTtlMinutes: config.approvals.resetTokenTtlMinutes,
    publicBaseUrl: config.approvals.publicBaseUrl,
    log,
    // Links (password reset, address confirmation) go out by email: say so only when email is configured. With no
    // mail server (outside production) they go to the dev mailbox, which a running Helpline on this store shows.
    resetDelivery: config.email.enabled, devMailbox: config.devMailbox.enabled,
  });
  if (args.caller.kind === 'customer' && !(await support.accounts.customer(args.caller.customerId))) {
    await repos.close();
    throw new Error(`No customer ${args.caller.customerId} in ${opened.location}`);
  }
  // Whatever client attaches is driven by a model: approval decisions (code-only tools) are not served here;
  // staff decide in Slack or the terminal chat.
  const server = createMcpServer({ support, caller: args.caller, context: { channel: 'terminal' }, log, modelFacing: true });
  const transport = new StdioServerTransport();

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'mcp stdio server stopping');
    await server.close().catch(() => undefined);
    await repos.close().catch((err: unknown) => log.error({ err }, 'store close failed'));
    process.stdin.destroy(); // nothing else holds the event loop: the process ends
    setTimeout(() => process.exit(), 1_000).unref(); // unless stdin is a FIFO/file with a read stuck in the thread pool
  };
  transport.onclose = () => void stop('transport closed');
  process.stdin.on('end', () => void stop('stdin closed'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await server.connect(transport);
  log.info({ caller: args.caller.kind, data: opened.location }, 'mcp stdio server ready');
}

main().catch((err: unknown) => {
  process.stderr.write(`helpline mcp: ${isAppError(err) || err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
