/**
 * The email channel. Its parts:
 * - inbound/   IMAP watcher and catch-up, the per-message decisions, reply budget, the `imap-poller` lease;
 * - analysis/  what to do with one raw message: loop guard, sender verification, threading;
 * - reading/   parsing and reading mail under hard limits (worker threads), MIME, charsets, bounces;
 * - text/      the text a person wrote: HTML to text, quoted history and signatures stripped;
 * - outbound/  deliver (the outbox), the outbox worker, MIME building, the SMTP pool;
 * - threads/   Message-IDs, thread records and the thread lookup over the repositories;
 * - retention.ts, identity.ts, check-cli.ts (`npm run email:check`);
 * - dev-mailbox.ts: with no mail server (outside production), the outbox's mail put in a local dev mailbox, never sent.
 */
export { createEmailChannel, type EmailChannel, type EmailChannelDeps, type EmailChannelStatus, type EmailChannelTuning } from './email-channel.js';
export type { ImapStatus } from './inbound/imap-watcher.js';
export { createThreadLookup } from './threads/thread-lookup.js';
export { analyzeEmail, type AnalyzeOptions, type EmailAnalysis, type ThreadLookup } from './analysis/analyze.js';
export { createDevMailbox, DEV_MAIL_FROM, type DevMail, type DevMailbox, type DevMailboxDeps } from './dev-mailbox.js';
