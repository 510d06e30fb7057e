import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../../config/config.js';
import { analyzeEmail, type AnalyzeOptions, type ThreadLookup } from './analysis/analyze.js';

/**
 * `npm run email:check -- <file.eml> [--trusted-authserv-id X] [--no-verify] [--full]`
 * Prints, as JSON, what Helpline would do with one raw message and the class that decided it. Sends nothing, touches no store: threading is
 * evaluated against a lookup that knows no earlier message. Limits come from the environment (EMAIL_MAX_BYTES,
 * EMAIL_PARSE_TIMEOUT_MS, EMAIL_MAX_TEXT_CHARS, EMAIL_TRUSTED_AUTHSERV_ID, EMAIL_VERIFY_SENDER, EMAIL_FROM).
 * Exit codes: 0 analysed (whatever the action), 2 usage error or unreadable file.
 */
const USAGE = 'usage: npm run email:check -- <file.eml> [--trusted-authserv-id ID] [--no-verify] [--full]';

interface CliArgs {
  file: string;
  trustedAuthservId?: string;
  noVerify: boolean;
  full: boolean;
}

export function parseCliArgs(argv: string[]): CliArgs | string {
  let file: string | undefined;
  let trustedAuthservId: string | undefined;
  let noVerify = false;
  let full = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--no-verify') noVerify = true;
    else if (arg === '--full') full = true;
    else if (arg === '--trusted-authserv-id') {
      trustedAuthservId = argv[++i];
      if (!trustedAuthservId || trustedAuthservId.startsWith('--')) return '--trusted-authserv-id needs a value';
    } else if (arg.startsWith('--trusted-authserv-id=')) trustedAuthservId = arg.slice('--trusted-authserv-id='.length);
    else if (arg === '-h' || arg === '--help') return 'help';
    else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else if (file) return 'only one file at a time';
    else file = arg;
  }
  if (!file) return 'missing <file.eml>';
  return { file, noVerify, full, ...(trustedAuthservId ? { trustedAuthservId } : {}) };
}

const emptyLookup: ThreadLookup = {
  threadForMessageIds: async () => undefined,
  threadForTicket: async () => undefined,
  isOwnMessageId: async () => false,
};

export async function runCheck(argv: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string }> {
  const args = parseCliArgs(argv);
  if (typeof args === 'string') return { code: 2, out: args === 'help' ? USAGE : `${args}\n${USAGE}` };
  let raw: Buffer;
  try {
    raw = await readFile(args.file);
  } catch (err) {
    return { code: 2, out: `cannot read ${args.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  // Only the EMAIL_* limits matter here; the email transport need not be configured to check a file.
  let email: ReturnType<typeof loadConfig>['email'];
  try {
    ({ email } = loadConfig({ ...env, EMAIL_IMAP_HOST: undefined, SLACK_BOT_TOKEN: undefined }));
  } catch (err) {
    return { code: 2, out: err instanceof Error ? err.message : String(err) };
  }
  const opts: AnalyzeOptions = {
    maxBytes: email.maxBytes,
    parseTimeoutMs: email.parseTimeoutMs,
    maxTextChars: email.maxTextChars,
    trustedAuthservId: args.trustedAuthservId ?? email.trustedAuthservId,
    verifySender: args.noVerify ? false : email.verifySender,
    ownAddresses: email.from ? [email.from] : [],
    lookup: emptyLookup,
  };
  const a = await analyzeEmail(raw, opts);
  const summary = {
    action: a.action,
    class: a.class,
    reason: a.reason,
    sender: { address: a.sender.address, verified: a.sender.verified, verification: a.sender.verification },
    threadKey: a.threadKey,
    text: a.text,
    subject: a.subject,
    messageId: a.messageId,
    attachments: a.attachments,
    ...(a.bounce ? { bounce: a.bounce } : {}),
  };
  return { code: 0, out: JSON.stringify(args.full ? a : summary, null, 2) };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { code, out } = await runCheck(process.argv.slice(2), process.env);
  (code === 0 ? process.stdout : process.stderr).write(`${out}\n`);
  process.exitCode = code;
}
