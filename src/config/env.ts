import { z } from 'zod';
import { AppError } from '../errors.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
/** A TCP port, or unset when absent or empty (`OPS_PORT=` from a compose file must not mean port 0). */
const port = z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional());
const opt = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));

/** Every environment variable Helpline reads. `.env.example` documents each one. */
export const envSchema = z.object({
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where the JSON logs go; unset: stderr, or `helpline.log` beside DATA_FILE while a person chats in a terminal. */
  LOG_FILE: opt,

  /** PostgreSQL (production, several instances); unset: the JSON file DATA_FILE. */
  DATABASE_URL: opt,
  DATA_FILE: z.string().default('data/db.json'),
  SEED_FILE: z.string().default('data/seed.json'),
  KB_DIR: z.string().default('data/kb'),

  ANTHROPIC_API_KEY: opt,
  ANTHROPIC_MODEL: z.string().default('claude-sonnet-4-5'),
  ANTHROPIC_BASE_URL: opt,
  ANTHROPIC_TIMEOUT_MS: int(30_000, 1),
  ANTHROPIC_MAX_RETRIES: int(2),
  ANTHROPIC_MAX_TOKENS: int(1024, 1),

  AGENT_MAX_ROUNDS: int(8, 1),
  AGENT_TURN_TIMEOUT_MS: int(120_000, 1),
  AGENT_CONTEXT_TOKENS: int(60_000, 1000),

  CONVERSATION_CONCURRENCY: int(8, 1),
  CONVERSATION_QUEUE_LIMIT: int(1000, 1),
  /** Domains model replies to customers may link to (PUBLIC_BASE_URL's host is always allowed); other links are removed. */
  OUTBOUND_LINK_DOMAINS: list,
  CONVERSATION_KEEP_TRANSCRIPTS: int(2000, 1),
  CONVERSATION_KEEP_TRANSCRIPTS_MB: int(32, 1),
  CONVERSATION_IDLE_HOURS: int(24, 1),
  LEDGER_MAX_ENTRIES: int(20_000, 1),
  LEDGER_MIN_RETENTION_MINUTES: int(60, 1),
  LEDGER_RETENTION_DAYS: int(30, 1),
  MODEL_RETRY_BASE_MS: int(5_000, 1),
  MODEL_RETRY_MAX_MS: int(300_000, 1),

  APPROVAL_TTL_MINUTES: int(24 * 60, 1),
  RESET_TOKEN_TTL_MINUTES: int(30, 1),
  PUBLIC_BASE_URL: z.string().url().default('http://127.0.0.1:8080'),

  SLACK_BOT_TOKEN: opt,
  SLACK_APP_TOKEN: opt,
  SLACK_SIGNING_SECRET: opt,
  SLACK_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** HTTP mode: the address the Slack receiver listens on (loopback unless a proxy elsewhere must reach it). */
  SLACK_HOST: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().default('127.0.0.1')),
  SLACK_STAFF_CHANNEL: opt,
  SLACK_STAFF_USER_IDS: list,
  SLACK_STAFF_USERGROUP: opt,
  SLACK_API_URL: opt,

  EMAIL_IMAP_HOST: opt,
  EMAIL_IMAP_PORT: int(993, 1),
  EMAIL_IMAP_SECURE: bool.default(true),
  EMAIL_IMAP_USER: opt,
  EMAIL_IMAP_PASSWORD: opt,
  EMAIL_IMAP_MAILBOX: z.string().default('INBOX'),
  EMAIL_QUARANTINE_FOLDER: opt,
  EMAIL_POLL_INTERVAL_MS: int(60_000, 100),
  EMAIL_FIRST_START: z.enum(['all', 'new']).default('all'),
  EMAIL_SMTP_HOST: opt,
  EMAIL_SMTP_PORT: int(587, 1),
  EMAIL_SMTP_SECURE: bool.default(false),
  EMAIL_SMTP_USER: opt,
  EMAIL_SMTP_PASSWORD: opt,
  EMAIL_FROM: opt,
  EMAIL_TRUSTED_AUTHSERV_ID: opt,
  EMAIL_VERIFY_SENDER: bool.default(true),
  EMAIL_MAX_BYTES: int(10 * 1024 * 1024, 1024),
  EMAIL_PARSE_TIMEOUT_MS: int(5_000, 10),
  EMAIL_MAX_TEXT_CHARS: int(8_000, 100),
  EMAIL_REPLY_BUDGET_PER_SENDER_HOUR: int(5, 1),
  EMAIL_REPLY_BUDGET_PER_THREAD_HOUR: int(10, 1),
  EMAIL_OUTBOX_RETENTION_DAYS: int(30, 1),

  HTTP_PORT: port,
  HTTP_HOST: z.string().default('127.0.0.1'),
  /** Reverse proxies in front of HTTP_PORT whose X-Forwarded-For is believed (IPs, CIDRs, `loopback`); empty = none. */
  HTTP_TRUSTED_PROXIES: list,
  /** When set: /readyz and /metrics move to this listener (your monitoring network), off HTTP_PORT; /healthz is on both. */
  OPS_PORT: port,
  OPS_HOST: z.string().default('127.0.0.1'),

  /**
   * The web API (/api/v1): the HS256 secret its customer tokens are signed with (at least 32 characters). Unset: a
   * random secret per process (tokens end with a restart and are not accepted by another instance), and in production no
   * tokens at all (API keys still work).
   */
  WEB_TOKEN_SECRET: opt,
  /** How long a minted customer token lives (seconds, 60..3600). */
  WEB_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  /** Browser origins allowed to call the web API (exact, e.g. `https://app.example.com`); empty: no cross-origin calls. */
  WEB_CORS_ORIGINS: list,
  /** Requests per minute from one client address (IPv6: per /64) without an API key. */
  WEB_RATE_PER_IP_MINUTE: int(60, 1),
  /** Requests per minute for one customer (their tokens, or a backend acting for them). */
  WEB_RATE_PER_CUSTOMER_MINUTE: int(30, 1),
  /** Requests per minute per API key (a backend serves many users). */
  WEB_RATE_PER_KEY_MINUTE: int(600, 1),
  /** Largest web API request body. */
  WEB_MAX_BODY_BYTES: int(16 * 1024, 256),
  /** How long POST …/messages waits for the reply before answering 202 pending. */
  WEB_TURN_WAIT_SECONDS: z.coerce.number().int().min(1).max(300).default(60),

  /**
   * The local dev mailbox (`auto`): with no mail server configured and NODE_ENV not `production`, mail Helpline would
   * send (reset and confirmation links) is shown in the terminal chat and at /dev/mailbox instead. `off`: never.
   */
  DEV_MAILBOX: z.enum(['auto', 'off']).default('auto'),
});

export type Env = z.infer<typeof envSchema>;

/** Parse the environment; on failure name the variables, never their values. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new AppError('config', `Invalid configuration: ${problems.join('; ')}`, { variables: result.error.issues.map((i) => i.path.join('.')) });
  }
  return result.data;
}
