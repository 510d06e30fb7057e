import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { asBlocks, type WebClient } from './slack-client.js';
import type { Logger } from '../../config/logger.js';
import type { ConnectTools, ConversationsPort } from '../../conversations/types.js';
import { ACTION_APPROVE, ACTION_DENY, decidedCardBlocks, type Block } from './approval-card.js';
import { createBoundedCache } from './bounded-cache.js';
import { escapeSlack, slackDate } from './format.js';
import type { LaneRunner } from './rate-limit.js';
import type { StaffAuth } from './staff-auth.js';
import type { SlackStaffNotifier } from './staff-notifier.js';
import { ToolError, withTools } from './tool-call.js';

interface DecideResult { approval?: { status?: string; decidedAt?: string }; outcome?: string; customerMessage?: string; threadKey?: string }
interface Decided { by: string; decision: 'approve' | 'deny'; at: string }

/** Approve / Deny clicks on approval cards: ack at once, staff only, one decision per approval, card updated, customer told. */
export function registerApprovalActions(app: App, deps: {
  client: WebClient;
  lanes: LaneRunner;
  staff: StaffAuth;
  notifier: SlackStaffNotifier;
  connectTools: ConnectTools;
  conversations: ConversationsPort;
  track: (p: Promise<unknown>) => void;
  teamOk: (teamId: string | undefined) => boolean;
  now: () => Date;
  log: Logger;
}): void {
  const inflight = new Map<string, Promise<Decided | undefined>>();
  const decided = createBoundedCache<Decided>({ max: 5000 });

  const ephemeral = (channel: string | undefined, user: string, text: string) =>
    channel
      ? deps.lanes.run(`eph:${channel}`, () => deps.client.chat.postEphemeral({ channel, user, text })).then(() => undefined, (err: Error) => deps.log.warn({ err: err.message }, 'postEphemeral failed'))
      : Promise.resolve();

  const updateCard = (channel: string | undefined, ts: string | undefined, previous: Block[] | undefined, line: string) =>
    channel && ts
      ? deps.lanes.run(channel, () => deps.client.chat.update({ channel, ts, text: line, blocks: asBlocks(decidedCardBlocks(previous, line)) })).then(() => undefined)
      : Promise.resolve();

  async function decide(body: BlockAction, approvalId: string, decision: 'approve' | 'deny', user: string, channel: string | undefined, ts: string | undefined): Promise<Decided | undefined> {
    const blocks = (body.message?.['blocks'] as Block[] | undefined) ?? undefined;
    let res: DecideResult;
    try {
      res = await withTools(deps.connectTools, { kind: 'staff', staffId: user }, {}, (call) =>
        call<DecideResult>('decide_approval', { approvalId, decision }));
    } catch (err) {
      const message = err instanceof ToolError ? err.message : 'Something went wrong while deciding; nothing was changed. Please try again.';
      if (!(err instanceof ToolError)) deps.log.error({ err: (err as Error).message, approvalId }, 'decide_approval failed');
      if (err instanceof ToolError && err.code === 'expired') {
        await updateCard(channel, ts, blocks, `:hourglass: *Expired* — this request can no longer be approved (checked ${slackDate(deps.now().toISOString())}).`).catch(() => undefined);
      } else if (err instanceof ToolError && err.code === 'already_decided' && (blocks ?? []).some((b) => b['type'] === 'actions')) {
        await updateCard(channel, ts, blocks, `:information_source: ${escapeSlack(message)}`).catch(() => undefined);
      }
      await ephemeral(channel, user, message);
      return undefined;
    }
    // decided: from here on, failures are reported but never turn into "nothing was changed"
    const at = res.approval?.decidedAt ?? deps.now().toISOString();
    const result: Decided = { by: user, decision, at };
    decided.set(approvalId, result);
    deps.log.info({ approvalId, decision, staffId: user }, 'approval decided from Slack');
    const verdict = decision === 'approve' ? ':white_check_mark: *Approved*' : ':no_entry_sign: *Denied*';
    const outcome = res.outcome ? ` — ${escapeSlack(res.outcome)}` : '';
    await updateCard(channel, ts, blocks, `${verdict} by <@${user}> on ${slackDate(at)}${outcome}`)
      .catch((err: Error) => deps.log.warn({ err: err.message, approvalId }, 'approval card not updated'));
    if (res.threadKey && res.customerMessage) {
      await deps.conversations.notifyThread(res.threadKey, res.customerMessage).catch(async (err: Error) => {
        deps.log.error({ err: err.message, approvalId }, 'customer could not be told about the decision');
        await ephemeral(channel, user, `The decision was recorded, but the customer could not be told in their conversation (${escapeSlack(err.message)}). Please contact them.`);
      });
    }
    return result;
  }

  async function onClick(body: BlockAction, action: ButtonAction, decision: 'approve' | 'deny'): Promise<void> {
    const user = body.user.id;
    const channel = body.channel?.id ?? (body.container as { channel_id?: string } | undefined)?.channel_id;
    const ts = body.message?.ts ?? (body.container as { message_ts?: string } | undefined)?.message_ts;
    const approvalId = action.value ?? '';
    if (!deps.teamOk(body.team?.id) || !approvalId) return;
    if (channel && ts) deps.notifier.rememberCard(approvalId, { channel, ts });
    if (!(await deps.staff.isStaff(user, { fresh: true }))) { // membership as of this click, not a cached list
      deps.log.warn({ approvalId, userId: user }, 'approval click from a non-staff user refused');
      await ephemeral(channel, user, 'Only Helpline support staff can approve or deny requests. Nothing was changed.');
      return;
    }
    // check and claim without yielding in between, so concurrent clicks cannot both decide
    for (;;) {
      const earlier = decided.get(approvalId);
      if (earlier) {
        const verb = earlier.decision === 'approve' ? 'approved' : 'denied';
        await ephemeral(channel, user, `This request was already ${verb} by <@${earlier.by}>. Nothing more was changed.`);
        return;
      }
      const pending = inflight.get(approvalId);
      if (!pending) break;
      await pending; // a failed first attempt leaves the decision to this click
    }
    const running = decide(body, approvalId, decision, user, channel, ts).finally(() => inflight.delete(approvalId));
    inflight.set(approvalId, running);
    await running;
  }

  for (const [actionId, decision] of [[ACTION_APPROVE, 'approve'], [ACTION_DENY, 'deny']] as const) {
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: actionId }, async ({ ack, body, action }) => {
      await ack();
      deps.track(onClick(body, action, decision).catch((err: Error) => deps.log.error({ err: err.message }, 'approval click failed')));
    });
  }
}
