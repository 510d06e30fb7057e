/** Creates the configured protocol channels (Slack, email) and the HTTP server, and hooks them into the app. */
import { startHttpServer, createAddressPage, createDevMailboxPage, createResetPage, type HttpServer, type ReadinessCheck } from '../channels/http/index.js';
import { createDevMailbox, createEmailChannel, DEV_MAIL_FROM, type DevMail, type EmailChannel } from '../channels/email/index.js';
import { createSlackChannel, type SlackChannel } from '../channels/slack/index.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { ConnectTools, ConversationsPort, CustomerDirectory, DeliverPort, IdentityResolver, StaffNotifier } from '../conversations/types.js';
import type { Channel } from '../store/schema.js';
import type { Repositories } from '../store/repos/index.js';
import type { Support } from '../support/api.js';

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
  delivery: Record<string, DeliverPort>;
  resolvers: Partial<Record<Channel, IdentityResolver>>;
  staffNotifiers: StaffNotifier[];
  starters: Array<() => Promise<void> | void>;
  stoppers: Array<() => Promise<void> | void>;
  channels: string[];
  httpPort?: number | undefined;
  /**
   * With the dev mailbox on and no HTTP port configured: the port its page (and the reset page its links open) is
   * served on. Not being able to listen there is logged, not fatal (the terminal still shows the mail).
   */
  devHttpPort?: number | undefined;
  /** Told of each mail put in the dev mailbox (the terminal prints it). */
  devMail: Array<(mail: DevMail) => void>;
  metricsText: () => Promise<string>;
  /** Counters the channels report into (createMetrics): requests and events dropped before any handler ran. */
  metrics?: {
    dropped: { inc(labels: { channel: string; reason: string }): void };
    /** Inbound mail by deciding class and action (helpline_email_class_total). */
    emailClass?: { inc(labels: { class: string; action: string }): void } | undefined;
  } | undefined;
  /** Filled in as channels are created and started (the HTTP server appears once started). */
  into: ChannelSet;
}

export function startChannels(d: ChannelWiringDeps): ChannelSet {
  const set = d.into;
  const { config, log } = d;
  const checks: Record<string, ReadinessCheck> = {
    store: async () => {
      try {
        await d.repos.ping();
        return true;
      } catch (err) {
        return `store unavailable: ${(err as Error).message}`;
      }
    },
  };

  if (config.slack.enabled) {
    const slack = createSlackChannel({
      config: config.slack, conversations: d.conversations, connectTools: d.connectTools, directory: d.directory,
      log: log.child({ component: 'slack' }), clock: d.clock,
      onCardPosted: (id, ref) => d.support.approvals.setStaffMessage(id, ref),
      onDraftPosted: (id, ref) => d.support.drafts.setStaffMessage(id, ref),
      readApproval: async (id, staffId) => d.support.approvals.get({ kind: 'staff', staffId }, id),
      onDropped: (reason) => d.metrics?.dropped.inc({ channel: 'slack', reason }),
    });
    set.slack = slack;
    d.delivery['slack'] = slack.deliver;
    d.resolvers.slack = slack.identity;
    d.staffNotifiers.push(slack.staff);
    d.starters.push(() => slack.start());
    d.stoppers.push(() => slack.stop());
    d.channels.push('slack');
    checks['slack'] = () => (slack.status() === 'connected' ? true : `Slack ${slack.status()}`);
  }

  if (config.email.enabled) {
    const email = createEmailChannel({
      config: config.email, repos: d.repos, instanceId: d.instanceId, conversations: d.conversations, directory: d.directory,
      staff: { approvalRequested: async (a) => { for (const n of d.staffNotifiers) await n.approvalRequested(a); }, alert: async (t, x) => { for (const n of d.staffNotifiers) await n.alert(t, x); } },
      log: log.child({ component: 'email' }), clock: d.clock,
      onClassified: (cls, action) => d.metrics?.emailClass?.inc({ class: cls, action }),
      renderSystemMail: d.support.systemMail.render,
    });
    set.email = email;
    d.delivery['email'] = email.deliver;
    d.resolvers.email = email.identity;
    d.starters.push(() => email.start());
    d.stoppers.push(() => email.stop());
    d.channels.push('email');
    checks['imap'] = () => (['connected', 'standby'].includes(email.status().imap) ? true : `IMAP session ${email.status().imap}`);
    checks['smtp'] = () => (email.status().smtp === 'failing' ? 'SMTP failing' : true);
  }

  let devMailboxPage: ReturnType<typeof createDevMailboxPage> | undefined;
  if (config.devMailbox.enabled) {
    const mailbox = createDevMailbox({
      repos: d.repos, log: log.child({ component: 'dev-mailbox' }), clock: d.clock, holder: d.instanceId, from: config.email.from ?? DEV_MAIL_FROM,
      render: d.support.systemMail.render,
      onMail: (mail) => { for (const tell of d.devMail) tell(mail); },
    });
    devMailboxPage = createDevMailboxPage(mailbox);
    d.starters.push(() => mailbox.start());
    d.stoppers.push(() => mailbox.stop());
  }

  const configured = d.httpPort ?? config.http.port;
  const port = configured ?? (devMailboxPage ? d.devHttpPort : undefined);
  const opsAt = config.http.ops;
  const metrics = { contentType: 'text/plain; version=0.0.4; charset=utf-8', text: d.metricsText };
  if (port !== undefined) {
    // Built now, not at start: a bad HTTP_TRUSTED_PROXIES stops start-up with a clear message.
    const publicOrigin = new URL(config.approvals.publicBaseUrl).origin;
    const resetPage = createResetPage({ passwords: d.support.passwords, log: log.child({ component: 'reset-page' }), publicOrigin, trustedProxies: config.http.trustedProxies });
    const confirmAddressPage = createAddressPage({ addressChanges: d.support.accounts, log: log.child({ component: 'address-page' }), publicOrigin, trustedProxies: config.http.trustedProxies });
    const httpLog = log.child({ component: 'http' });
    d.starters.push(async () => {
      try {
        set.http = await startHttpServer({ host: config.http.host, port, log: httpLog, checks, metrics, ops: opsAt === undefined, resetPage, confirmAddressPage, devMailbox: devMailboxPage });
      } catch (err) {
        if (configured !== undefined) throw err;
        httpLog.warn({ err: String(err), port }, 'the dev mailbox page could not listen; mail is still shown in the terminal (set HTTP_PORT)');
      }
    });
    d.stoppers.push(() => set.http?.close());
    d.channels.push('http');
  }
  if (opsAt) {
    d.starters.push(async () => {
      set.ops = await startHttpServer({ host: opsAt.host, port: opsAt.port, log: log.child({ component: 'ops-http' }), checks, metrics });
    });
    d.stoppers.push(() => set.ops?.close());
  }
  return set;
}
