import { App, type AppOptions } from '@slack/bolt';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../config/logger.js';
import type { ConnectTools, ConversationsPort, CustomerDirectory, DeliverPort } from '../../conversations/types.js';
import { AppError } from '../../errors.js';
import { registerApprovalActions } from './approval-actions.js';
import { registerDraftActions } from './draft-actions.js';
import { createSlackDeliver } from './deliver.js';
import { registerHome } from './home.js';
import { createSlackIdentity, type SlackIdentity } from './identity.js';
import { escapeSlack } from './format.js';
import { createInbound, type SlackSelf } from './inbound.js';
import { isPermanent } from './dispatch.js';
import { createLaneRunner } from './rate-limit.js';
import { createReceiver, type SlackStatus } from './receiver.js';
import type { Approval } from '../../store/schema.js';
import { createWebClient, slackLogger, webClientOptions } from './slack-client.js';
import { createStaffAuth, type StaffAuth } from './staff-auth.js';
import { createStaffNotifier, type SlackStaffNotifier } from './staff-notifier.js';
import { registerTicketCommand } from './ticket-command.js';
import { registerTicketModal } from './ticket-modal.js';
import { createWorkingIndicator } from './working-indicator.js';

export type { SlackStatus } from './receiver.js';

export interface SlackChannelDeps {
  config: Config['slack'];
  conversations: ConversationsPort;
  connectTools: ConnectTools;
  directory: CustomerDirectory;
  log: Logger;
  clock?: () => Date;
  /** Persist where an approval card was posted (wire to `support.approvals.setStaffMessage`). */
  onCardPosted?: (approvalId: string, ref: { channel: string; ts: string }) => Promise<void>;
  /** Persist where a draft's card was posted (wire to `support.drafts.setStaffMessage`). */
  onDraftPosted?: (draftId: string, ref: { channel: string; ts: string }) => Promise<void>;
  /** Counts a request or event dropped before any handler ran (wire to `metrics.dropped`, channel 'slack'). */
  onDropped?: (reason: string) => void;
  /**
   * Reads the stored approval, as the staff member `staffId` (wire to `support.approvals.get`). Approval cards are
   * re-rendered from it when a decision fails (expired, already decided); a successful decision returns it anyway.
   */
  readApproval?: (approvalId: string, staffId: string) => Promise<Approval | undefined>;
  /** Extra Bolt options (tests: e.g. socket ping timeouts). */
  appOptions?: { socket?: { clientPingTimeout?: number; serverPingTimeout?: number; autoReconnectEnabled?: boolean }; webApiTimeoutMs?: number; webApiRetries?: number; rateLimitSleep?: (ms: number) => Promise<void> };
}

export interface SlackChannel {
  start(): Promise<void>;
  stop(): Promise<void>;
  deliver: DeliverPort;
  identity: SlackIdentity;
  staff: SlackStaffNotifier;
  /** Staff check (allow-list or user group), also usable by support through `isStaffSync`. */
  staffAuth: StaffAuth;
  status(): SlackStatus;
  /** HTTP mode: where the receiver listens (useful with port 0). */
  address(): { port: number; host: string } | undefined;
  /** Resolves when every piece of work started by an event has finished. */
  idle(): Promise<void>;
}

export function createSlackChannel(deps: SlackChannelDeps): SlackChannel {
  const { config, log } = deps;
  const now = deps.clock ?? (() => new Date());
  if (!config.botToken) throw new AppError('config', 'SLACK_BOT_TOKEN is required for the Slack channel', { variables: ['SLACK_BOT_TOKEN'] });
  if (config.mode === 'http' && !config.signingSecret) throw new AppError('config', 'SLACK_SIGNING_SECRET is required in HTTP mode', { variables: ['SLACK_SIGNING_SECRET'] });
  if (config.mode === 'socket' && !config.appToken) throw new AppError('config', 'SLACK_APP_TOKEN is required in Socket Mode', { variables: ['SLACK_APP_TOKEN'] });

  const boltLog = slackLogger(log);
  const clientOptions = webClientOptions({ apiUrl: config.apiUrl, logger: boltLog, timeoutMs: deps.appOptions?.webApiTimeoutMs, retries: deps.appOptions?.webApiRetries });
  const client = createWebClient(config.botToken, clientOptions);
  const lanes = createLaneRunner({ log, sleep: deps.appOptions?.rateLimitSleep });
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    pending.add(p);
    // Failures are logged where they happen (and surface to Bolt through the awaiting listener).
    p.catch(() => undefined).finally(() => pending.delete(p));
  };
  let self: SlackSelf | undefined;
  let state: SlackStatus = 'down';
  let started = false;
  const dropped = (reason: string) => {
    try {
      deps.onDropped?.(reason);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'drop counter failed');
    }
  };
  const teamOk = (teamId: string | undefined) => {
    if (!self) return false;
    if (!teamId || teamId === self.teamId) return true;
    log.debug({ team: teamId.slice(0, 64) }, 'slack request from another workspace dropped');
    dropped('foreign_workspace');
    return false;
  };

  const staffAuth = createStaffAuth({ client, lanes, staffUserIds: config.staffUserIds, staffUsergroup: config.staffUsergroup, log });
  const identity = createSlackIdentity({ client, lanes, directory: deps.directory, staff: staffAuth, teamId: () => self?.teamId, log });
  const working = createWorkingIndicator({ client, lanes, log });
  const notice = async (channel: string, threadTs: string, text: string) => {
    await lanes.run(channel, () => client.chat.postMessage({ channel, thread_ts: threadTs, text: escapeSlack(text), parse: 'none', link_names: false, unfurl_links: false, unfurl_media: false }));
  };
  const inbound = createInbound({ conversations: deps.conversations, working, self: () => self, now, log, notice, dropped });
  const deliver = createSlackDeliver({ client, lanes, working, teamId: () => self?.teamId, botId: () => self?.botId, onPosted: (c, t) => inbound.joinThread(c, t), log });
  const staff = createStaffNotifier({ client, lanes, staffChannel: config.staffChannel, directory: deps.directory, connectTools: deps.connectTools, onCardPosted: deps.onCardPosted, onDraftPosted: deps.onDraftPosted, log });

  const { receiver, http } = createReceiver({ config, logger: boltLog, log, socket: deps.appOptions?.socket, onState: (next) => { state = next; }, dropped });

  const appOptions: AppOptions = {
    receiver,
    logger: boltLog,
    clientOptions,
    ignoreSelf: true,
    authorize: async () => {
      if (!self) throw new AppError('unavailable', 'Slack channel not started');
      return { botToken: config.botToken, botUserId: self.botUserId, botId: self.botId, teamId: self.teamId };
    },
  };
  const app = new App(appOptions);
  app.error(async (err) => {
    if (isPermanent(err)) log.warn({ err: err.message, code: (err as { code?: string }).code }, 'slack request could not be processed');
    else log.error({ err: err.message, code: (err as { code?: string }).code }, 'slack app error');
    // Propagate to the receiver (dispatch.ts): a permanent input error is acknowledged; anything else is not, so an
    // unacked event (e.g. the ledger write failed) is delivered again by Slack and an HTTP request gets a 500.
    throw err;
  });

  const onMessage = async ({ event, body }: { event: unknown; body: unknown }) => {
    const work = inbound.onEvent(body as { event_id?: unknown; team_id?: unknown }, event);
    if (!work) return;
    track(work);
    // Resolves once the message is in the durable ledger (not when answered). The receiver acks only after
    // this (HTTP: processBeforeResponse; Socket Mode: deferred ack), so a crash can't lose an acked event,
    // and a failed ledger write is not acked: Slack delivers the event again.
    await work;
  };
  app.event('message', onMessage);
  app.event('app_mention', onMessage);
  const staffCaller = identity.staffCaller;
  registerApprovalActions(app, { client, lanes, staff: staffAuth, notifier: staff, connectTools: deps.connectTools, conversations: deps.conversations, readApproval: deps.readApproval, staffCaller, track, teamOk, now, log });
  registerDraftActions(app, { client, lanes, staff: staffAuth, connectTools: deps.connectTools, conversations: deps.conversations, staffCaller, teamOk, track, log });
  registerTicketCommand(app, { client, lanes, identity, connectTools: deps.connectTools, conversations: deps.conversations, teamOk, track, log });
  registerTicketModal(app, { client, lanes, identity, connectTools: deps.connectTools, teamOk, track, log });
  registerHome(app, { client, lanes, identity, connectTools: deps.connectTools, teamOk, track, now, log });

  async function idle(): Promise<void> {
    while (pending.size > 0) await Promise.allSettled([...pending]);
    await lanes.idle();
  }

  return {
    deliver,
    identity,
    staff,
    staffAuth,
    status: () => state,
    address: () => {
      const a = http?.address();
      return a ? { port: a.port, host: a.address } : undefined;
    },
    idle,
    async start() {
      state = 'connecting';
      try {
        const auth = await client.auth.test();
        if (!auth.user_id || !auth.team_id) throw new AppError('config', 'Slack auth.test returned no bot user or team');
        self = { teamId: auth.team_id, botUserId: auth.user_id, botId: auth.bot_id };
        await app.start();
        state = 'connected';
        started = true;
        log.info({ mode: config.mode, team: self.teamId, botUserId: self.botUserId, ...(http ? { host: http.address()?.address, port: http.address()?.port } : {}) }, 'slack channel started');
      } catch (err) {
        state = 'down';
        if (err instanceof AppError) throw err;
        const code = (err as { data?: { error?: string } }).data?.error;
        if (code && ['invalid_auth', 'not_authed', 'token_revoked', 'account_inactive', 'not_allowed_token_type'].includes(code)) {
          throw new AppError('config', `Slack rejected the token (${code}): check SLACK_BOT_TOKEN / SLACK_APP_TOKEN`, { mode: config.mode, error: code }, { cause: err });
        }
        throw new AppError('unavailable', `Slack channel could not start: ${(err as Error).message}`, { mode: config.mode }, { cause: err });
      }
    },
    async stop() {
      if (started) {
        started = false;
        try {
          await app.stop();
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'slack app stop failed');
        }
      }
      state = 'down';
      await idle();
    },
  };
}
