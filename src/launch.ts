/**
 * Process-level start-up shared by `npm start` (src/main.ts) and `npm run chat` (src/channels/terminal/cli.ts):
 * config (one clear line and exit 1 when bad), logger, the app, signals, graceful shutdown.
 */
import { createApp, type App } from './app.js';
import { loadConfig, type Config } from './config/config.js';
import { dirname, join } from 'node:path';
import { createLogger, logFile } from './config/logger.js';
import { isAppError } from './errors.js';
import { installProcessPolicy } from './process-policy.js';

function fail(err: unknown): never {
  const text = isAppError(err) ? err.message : err instanceof Error ? err.message : String(err);
  process.stderr.write(`helpline: ${text.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}

/**
 * Where the JSON logs go: LOG_FILE when set; else, while a person chats in a terminal (stdout is a TTY, which
 * stderr shares), a file beside the data file, so no log line lands in the middle of the chat; else stderr.
 */
export function logPath(config: Config, chatting: boolean, tty: boolean): string | undefined {
  if (config.env.LOG_FILE) return config.env.LOG_FILE;
  return chatting && tty ? join(dirname(config.dataFile), 'helpline.log') : undefined;
}

/**
 * The dev mailbox's page (and the reset page its links open) with no HTTP_PORT set: served on PUBLIC_BASE_URL's port
 * when that URL is a loopback address with a port (the default http://127.0.0.1:8080), so the links in the mail work.
 */
export function devHttpPort(config: Config): number | undefined {
  if (!config.devMailbox.enabled || config.http.port !== undefined) return undefined;
  const url = new URL(config.approvals.publicBaseUrl);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return loopback && url.port ? Number(url.port) : undefined;
}

export async function launch(mode: 'auto' | 'always'): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    fail(err);
  }
  const chatting = mode === 'always' || !(config.slack.enabled || config.email.enabled);
  const file = logPath(config, chatting, process.stdout.isTTY === true);
  let log: ReturnType<typeof createLogger>;
  try {
    log = createLogger({ level: config.env.LOG_LEVEL, ...(file ? { destination: logFile(file) } : {}) });
  } catch (err) {
    fail(new Error(`LOG_FILE: cannot write ${file}: ${err instanceof Error ? err.message : String(err)}`));
  }
  if (file && chatting) process.stdout.write(`(logs go to ${file})\n`);
  let app: App;
  try {
    app = await createApp(config, { log, terminal: mode, devHttpPort: devHttpPort(config) });
  } catch (err) {
    fail(err);
  }

  let exiting = false;
  const shutdown = async (code: number, why: string) => {
    if (exiting) return;
    exiting = true;
    log.info({ why }, 'shutting down');
    try {
      await app.stop();
    } catch (err) {
      log.error({ err: String(err) }, 'shutdown failed');
      code = 1;
    }
    process.exit(code);
  };
  installProcessPolicy({ proc: process, log, count: (kind) => app.metrics.processErrors.inc({ kind }), shutdown });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (exiting) process.exit(1); // a second signal: stop waiting
      void shutdown(0, sig);
    });
  }

  try {
    await app.start();
  } catch (err) {
    await app.stop().catch(() => undefined);
    fail(err);
  }
  if (!app.terminal) {
    process.stdout.write(`Helpline running with ${app.modelLabel} on ${app.channels.join(' and ')}. Stop with Ctrl-C.\n`);
    return;
  }
  await app.terminalDone;
  await shutdown(0, 'terminal session ended');
}
