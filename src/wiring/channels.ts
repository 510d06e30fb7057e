/** Builds the configured protocol channels (Slack, email) and the dev mailbox; each returns what it built. */
import { createDevMailboxPage, type HttpServer } from '../channels/http/index.js';
import { createDevMailbox, createEmailChannel, DEV_MAIL_FROM, type DevMail, type EmailChannel } from '../channels/email/index.js';
import { createSlackChannel, type SlackChannel } from '../channels/slack/index.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { ConnectTools, ConversationsPort, CustomerDirectory, StaffNotifier } from '../conversations/types.js';
import type { Repositories } from '../store/repos/index.js';
import type { Support } from '../support/api.js';
import type { Wired, WiredChannel } from './wired.js';

export interface ChannelSet {
  slack?: SlackChannel | undefined;
  email?: EmailChannel | undefined;
  http?: HttpServer | undefined;
  /** The separate health/readiness/metrics listener, when OPS_PORT is set. */
  ops?: HttpServer | undefined;
}

export interface ChannelWiringDeps {
  config: Config;
  log: Logger;
  clock: () => Date;
  repos: Repositories;
  /** This instance's name as a lease holder (one IMAP poller among several instances). */
  instanceId: string;
  support: Support;
  conversations: ConversationsPort;
  connectTools: ConnectTools;
  directory: CustomerDirectory;
  /** Counters the channels report into (createMetrics): requests and events dropped before any handler ran. */
  metrics?: {
    dropped: { inc(labels: { channel: string; reason: string }): void };
    /** Inbound mail by deciding class and action (helpline_email_class_total). */
    emailClass?: { inc(labels: { class: string; action: string }): void } | undefined;
  } | undefined;
}

export function wireSlack(d: ChannelWiringDeps): WiredChannel & { slack: SlackChannel } {
  const slack = createSlackChannel({
    config: d.config.slack, conversations: d.conversations, connectTools: d.connectTools, directory: d.directory,
    log: d.log.child({ component: 'slack' }), clock: d.clock,
    onCardPosted: (id, ref) => d.support.approvals.setStaffMessage(id, ref),
    onDraftPosted: (id, ref) => d.support.drafts.setStaffMessage(id, ref),
    readApproval: async (id, staffId) => d.support.approvals.get({ kind: 'staff', staffId }, id),
    onDropped: (reason) => d.metrics?.dropped.inc({ channel: 'slack', reason }),
  });
  return {
    name: 'slack', slack, deliver: slack.deliver, resolver: slack.identity, staffNotifier: slack.staff,
    isStaff: (id) => slack.staffAuth.isStaffSync(id),
    checks: { slack: () => (slack.status() === 'connected' ? true : `Slack ${slack.status()}`) },
    start: () => slack.start(), stop: () => slack.stop(),
  };
}

/** `staff`: every staff-facing channel (Slack, the terminal), told of what the mailbox needs a person for. */
export function wireEmail(d: ChannelWiringDeps & { staff: StaffNotifier }): WiredChannel & { email: EmailChannel } {
  const email = createEmailChannel({
    config: d.config.email, repos: d.repos, instanceId: d.instanceId, conversations: d.conversations, directory: d.directory, staff: d.staff,
    log: d.log.child({ component: 'email' }), clock: d.clock,
    onClassified: (cls, action) => d.metrics?.emailClass?.inc({ class: cls, action }),
    renderSystemMail: d.support.systemMail.render,
  });
  return {
    name: 'email', email, deliver: email.deliver, resolver: email.identity,
    checks: {
      imap: () => (['connected', 'standby'].includes(email.status().imap) ? true : `IMAP session ${email.status().imap}`),
      smtp: () => (email.status().smtp === 'failing' ? 'SMTP failing' : true),
    },
    start: () => email.start(), stop: () => email.stop(),
  };
}

/** The local dev mailbox (no mail server, outside production); `page` is what the HTTP server shows of it. */
export function wireDevMailbox(
  d: Pick<ChannelWiringDeps, 'config' | 'log' | 'clock' | 'repos' | 'instanceId' | 'support'> & { onMail?: ((mail: DevMail) => void) | undefined },
): Wired & { page: ReturnType<typeof createDevMailboxPage> } {
  const mailbox = createDevMailbox({
    repos: d.repos, log: d.log.child({ component: 'dev-mailbox' }), clock: d.clock, holder: d.instanceId, from: d.config.email.from ?? DEV_MAIL_FROM,
    render: d.support.systemMail.render,
    onMail: (mail) => d.onMail?.(mail),
  });
  return { page: createDevMailboxPage(mailbox), start: () => mailbox.start(), stop: () => mailbox.stop() };
}
