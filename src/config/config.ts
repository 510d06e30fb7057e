import { existsSync } from 'node:fs';
import { AppError } from '../errors.js';
import { parseEnv, type Env } from './env.js';

export interface Config {
  env: Env;
  /** The PostgreSQL connection string when set (then dataFile is only read by db:import). */
  databaseUrl: string | undefined;
  dataFile: string;
  seedFile: string;
  kbDir: string;
  anthropic: { apiKey: string | undefined; model: string; baseURL: string | undefined; timeoutMs: number; maxRetries: number; maxTokens: number };
  agent: { maxRounds: number; turnTimeoutMs: number; contextTokens: number };
  conversations: {
    concurrency: number; queueLimit: number; retryBaseMs: number; retryMaxMs: number;
    /** Memory bounds (defaults apply when absent): transcripts kept whole, idle time before compaction, ledger size and age. */
    keepTranscripts?: number | undefined; transcriptMaxChars?: number | undefined; transcriptIdleMs?: number | undefined;
    ledgerMaxEntries?: number | undefined; ledgerMinRetentionMs?: number | undefined; ledgerRetentionMs?: number | undefined;
    /** Domains links in replies to customers and outsiders may point to (plus PUBLIC_BASE_URL's host); others are removed. */
    linkDomains?: string[] | undefined;
  };
  approvals: { ttlMinutes: number; resetTokenTtlMinutes: number; publicBaseUrl: string };
  slack: {
    enabled: boolean;
    mode: 'socket' | 'http';
    botToken: string | undefined;
    appToken: string | undefined;
    signingSecret: string | undefined;
    port: number | undefined;
    /** HTTP mode: listen address (SLACK_HOST, default 127.0.0.1). */
    host?: string | undefined;
    staffChannel: string | undefined;
    staffUserIds: string[];
    staffUsergroup: string | undefined;
    apiUrl: string | undefined;
  };
  email: {
    enabled: boolean;
    imap: { host: string | undefined; port: number; secure: boolean; user: string | undefined; password: string | undefined; mailbox: string; quarantineFolder: string | undefined; pollIntervalMs: number; firstStart?: 'all' | 'new' | undefined };
    smtp: { host: string | undefined; port: number; secure: boolean; user: string | undefined; password: string | undefined };
    from: string | undefined;
    trustedAuthservId: string | undefined;
    verifySender: boolean;
    maxBytes: number;
    parseTimeoutMs: number;
    maxTextChars: number;
    replyBudgetPerSenderHour: number;
    replyBudgetPerThreadHour: number;
    /** Sent and failed outbox mail is kept this long, then dropped. Default 30 days. */
    outboxRetentionMs?: number | undefined;
  };
  /** `ops`: a separate listener for health, readiness and metrics (then HTTP_PORT serves only the reset page). */
  http: { port: number | undefined; host: string; trustedProxies: string[]; ops?: { port: number; host: string } | undefined };
  /**
   * The local dev mailbox: on (DEV_MAILBOX=auto, the default) only when no mail server is configured (the email
   * channel is off) and NODE_ENV is not `production`. Mail is then put there, never sent, and every text says so.
   */
  devMailbox: { enabled: boolean };
  /**
   * The web API (/api/v1): customer tokens' secret and lifetime. Without a secret, outside production, a random one
   * per process; in production, no tokens (API keys still work).
   */
  web: {
    tokenSecret: string | undefined; tokenTtlSeconds: number; production: boolean; corsOrigins: string[]; trustedProxies: string[];
    rate: { perIpMinute: number; perCustomerMinute: number; perKeyMinute: number }; bodyLimitBytes: number; turnWaitMs: number;
  };
}

/** Build the typed config from an environment map (default: process.env, after loading `.env` if present). */
export function loadConfig(source?: Record<string, string | undefined>): Config {
  if (!source) {
    if (existsSync('.env')) process.loadEnvFile('.env');
    source = process.env;
  }
  const env = parseEnv(source);
  const slackHttp = Boolean(env.SLACK_SIGNING_SECRET && env.SLACK_PORT !== undefined);
  const slackEnabled = Boolean(env.SLACK_BOT_TOKEN && (slackHttp || env.SLACK_APP_TOKEN));
  if (env.SLACK_BOT_TOKEN && !slackEnabled) {
    throw new AppError('config', 'SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET + SLACK_PORT (HTTP mode) is', { variables: ['SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_PORT'] });
  }
  if (env.WEB_TOKEN_SECRET !== undefined && env.WEB_TOKEN_SECRET.length < 32) {
    throw new AppError('config', 'WEB_TOKEN_SECRET must be at least 32 characters (e.g. `openssl rand -base64 48`)', { variables: ['WEB_TOKEN_SECRET'] });
  }
  const emailEnabled = Boolean(env.EMAIL_IMAP_HOST);
  if (emailEnabled) {
    const missing = (['EMAIL_IMAP_USER', 'EMAIL_IMAP_PASSWORD', 'EMAIL_SMTP_HOST', 'EMAIL_FROM'] as const).filter((k) => !env[k]);
    if (missing.length) throw new AppError('config', `Email is enabled (EMAIL_IMAP_HOST) but these are missing: ${missing.join(', ')}`, { variables: missing });
    if (env.EMAIL_VERIFY_SENDER && !env.EMAIL_TRUSTED_AUTHSERV_ID) {
      throw new AppError('config', 'EMAIL_TRUSTED_AUTHSERV_ID is required unless EMAIL_VERIFY_SENDER=false', { variables: ['EMAIL_TRUSTED_AUTHSERV_ID'] });
    }
  }
  return {
    env,
    databaseUrl: env.DATABASE_URL,
    dataFile: env.DATA_FILE,
    seedFile: env.SEED_FILE,
    kbDir: env.KB_DIR,
    anthropic: { apiKey: env.ANTHROPIC_API_KEY, model: env.ANTHROPIC_MODEL, baseURL: env.ANTHROPIC_BASE_URL, timeoutMs: env.ANTHROPIC_TIMEOUT_MS, maxRetries: env.ANTHROPIC_MAX_RETRIES, maxTokens: env.ANTHROPIC_MAX_TOKENS },
    agent: { maxRounds: env.AGENT_MAX_ROUNDS, turnTimeoutMs: env.AGENT_TURN_TIMEOUT_MS, contextTokens: env.AGENT_CONTEXT_TOKENS },
    conversations: {
      concurrency: env.CONVERSATION_CONCURRENCY, queueLimit: env.CONVERSATION_QUEUE_LIMIT, retryBaseMs: env.MODEL_RETRY_BASE_MS, retryMaxMs: env.MODEL_RETRY_MAX_MS,
      keepTranscripts: env.CONVERSATION_KEEP_TRANSCRIPTS, transcriptMaxChars: env.CONVERSATION_KEEP_TRANSCRIPTS_MB * 1024 * 1024, transcriptIdleMs: env.CONVERSATION_IDLE_HOURS * 3600_000,
      ledgerMaxEntries: env.LEDGER_MAX_ENTRIES, ledgerMinRetentionMs: env.LEDGER_MIN_RETENTION_MINUTES * 60_000, ledgerRetentionMs: env.LEDGER_RETENTION_DAYS * 24 * 3600_000,
      linkDomains: env.OUTBOUND_LINK_DOMAINS,
    },
    approvals: { ttlMinutes: env.APPROVAL_TTL_MINUTES, resetTokenTtlMinutes: env.RESET_TOKEN_TTL_MINUTES, publicBaseUrl: env.PUBLIC_BASE_URL },
    slack: {
      enabled: slackEnabled,
      mode: slackHttp ? 'http' : 'socket',
      botToken: env.SLACK_BOT_TOKEN,
      appToken: env.SLACK_APP_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
      port: env.SLACK_PORT,
      host: env.SLACK_HOST,
      staffChannel: env.SLACK_STAFF_CHANNEL,
      staffUserIds: env.SLACK_STAFF_USER_IDS,
      staffUsergroup: env.SLACK_STAFF_USERGROUP,
      apiUrl: env.SLACK_API_URL,
    },
    email: {
      enabled: emailEnabled,
      imap: { host: env.EMAIL_IMAP_HOST, port: env.EMAIL_IMAP_PORT, secure: env.EMAIL_IMAP_SECURE, user: env.EMAIL_IMAP_USER, password: env.EMAIL_IMAP_PASSWORD, mailbox: env.EMAIL_IMAP_MAILBOX, quarantineFolder: env.EMAIL_QUARANTINE_FOLDER, pollIntervalMs: env.EMAIL_POLL_INTERVAL_MS, firstStart: env.EMAIL_FIRST_START },
      smtp: { host: env.EMAIL_SMTP_HOST, port: env.EMAIL_SMTP_PORT, secure: env.EMAIL_SMTP_SECURE, user: env.EMAIL_SMTP_USER, password: env.EMAIL_SMTP_PASSWORD },
      from: env.EMAIL_FROM,
      trustedAuthservId: env.EMAIL_TRUSTED_AUTHSERV_ID,
      verifySender: env.EMAIL_VERIFY_SENDER,
      maxBytes: env.EMAIL_MAX_BYTES,
      parseTimeoutMs: env.EMAIL_PARSE_TIMEOUT_MS,
      maxTextChars: env.EMAIL_MAX_TEXT_CHARS,
      replyBudgetPerSenderHour: env.EMAIL_REPLY_BUDGET_PER_SENDER_HOUR,
      replyBudgetPerThreadHour: env.EMAIL_REPLY_BUDGET_PER_THREAD_HOUR,
      outboxRetentionMs: env.EMAIL_OUTBOX_RETENTION_DAYS * 24 * 3600_000,
    },
    devMailbox: { enabled: env.DEV_MAILBOX === 'auto' && !emailEnabled && env.NODE_ENV !== 'production' },
    http: { port: env.HTTP_PORT, host: env.HTTP_HOST, trustedProxies: env.HTTP_TRUSTED_PROXIES, ops: env.OPS_PORT === undefined ? undefined : { port: env.OPS_PORT, host: env.OPS_HOST } },
    web: {
      tokenSecret: env.WEB_TOKEN_SECRET, tokenTtlSeconds: env.WEB_TOKEN_TTL_SECONDS, production: env.NODE_ENV === 'production',
      corsOrigins: env.WEB_CORS_ORIGINS, trustedProxies: env.HTTP_TRUSTED_PROXIES,
      rate: { perIpMinute: env.WEB_RATE_PER_IP_MINUTE, perCustomerMinute: env.WEB_RATE_PER_CUSTOMER_MINUTE, perKeyMinute: env.WEB_RATE_PER_KEY_MINUTE },
      bodyLimitBytes: env.WEB_MAX_BODY_BYTES, turnWaitMs: env.WEB_TURN_WAIT_SECONDS * 1000,
    },
  };
}
