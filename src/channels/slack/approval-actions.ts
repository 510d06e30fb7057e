import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { asBlocks, type WebClient } from './slack-client.js';
import type { Logger } from '../../config/logger.js';
import { isAppError } from '../../errors.js';
import type { ConnectTools, ConversationsPort } from '../../conversations/types.js';
import type { Approval } from '../../store/schema.js';
import type { StaffCaller } from '../../support/caller.js';
import { ACTION_APPROVE, ACTION_DENY, decidedCardBlocks, decisionLine, storedApproval } from './approval-card.js';
import { createBoundedCache } from './bounded-cache.js';
import type { LaneRunner } from './rate-limit.js';
import type { StaffAuth } from './staff-auth.js';
import type { SlackStaffNotifier } from './staff-notifier.js';
import { toolErrorText, withTools } from './tool-call.js';
import type { ToolOutput } from '../../mcp/index.js';

interface Decided { by: string; decision: 'approve' | 'deny'; at: string }

/** Approve / Deny clicks on approval cards: ack at once, staff only, one decision per approval, card updated, customer told. */
export function registerApprovalActions(app: App, deps: {
  client: WebClient;
  lanes: LaneRunner;
  staff: StaffAuth;
  notifier: SlackStaffNotifier;
  connectTools: ConnectTools;
  conversations: ConversationsPort;
  /** The stored approval, read as this staff member (for re-rendering the card when a decision fails). */
  readApproval?: ((approvalId: string, staffId: string) => Promise<Approval | undefined>) | undefined;
  /** The deciding staff member as a Caller, with their Slack-verified email (support refuses a self-decision). */
  staffCaller: (userId: string) => Promise<StaffCaller>;
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

  /**
   * The card, re-rendered from the stored approval (never from the click payload, which may carry no blocks), without
   * its buttons and ending with `line`. Without a stored approval the card is left as it is: never cut down.
   */
  async function updateCard(channel: string | undefined, ts: string | undefined, approval: Approval | undefined, line: string): Promise<void> {
    if (!channel || !ts) return;
    if (!approval) {
      deps.log.warn({ channel }, 'approval card not updated: the stored approval could not be read');
      return;
    }
    const card = await deps.notifier.renderCard(approval);
    await deps.lanes.run(channel, () => deps.client.chat.update({ channel, ts, text: line, blocks: asBlocks(decidedCardBlocks(card.blocks, line)) }));
  }

  /** The stored record (read as this staff member), else the record this process posted the card from. */
  const readStored = async (approvalId: string, staffId: string): Promise<Approval | undefined> => {
    const stored = await (deps.readApproval?.(approvalId, staffId) ?? Promise.resolve(undefined)).catch((err: Error) => {
      deps.log.warn({ err: err.message, approvalId }, 'stored approval could not be read');
      return undefined;
    });
    return stored ?? deps.notifier.approvalOf(approvalId);
  };

  async function decide(approvalId: string, decision: 'approve' | 'deny', user: string, channel: string | undefined, ts: string | undefined): Promise<Decided | undefined> {
    let res: ToolOutput<'staff', 'decide_approval'>;
    try {
      res = await withTools(deps.connectTools, await deps.staffCaller(user), {}, (tools) => tools.call('decide_approval', { approvalId, decision }));
    } catch (err) {
      const said = toolErrorText(err);
      if (said === undefined) deps.log.error({ err: (err as Error).message, approvalId }, 'decide_approval failed');
      const message = said ?? 'Something went wrong while deciding; nothing was changed. Please try again.';
      if (isAppError(err) && (err.code === 'expired' || err.code === 'already_decided')) {
        const stored = await readStored(approvalId, user);
        // a card whose request is still pending keeps its buttons
        if (stored?.status !== 'pending' || err.code === 'expired') {
          const line = stored ? decisionLine(stored, { now: deps.now(), expiredCheck: err.code === 'expired' }) : '';
          await updateCard(channel, ts, stored, line).catch((e: Error) => deps.log.warn({ err: e.message, approvalId }, 'approval card not updated'));
        }
      }
      await ephemeral(channel, user, message);
      return undefined;
    }
    // decided: from here on, failures are reported but never turn into "nothing was changed"
    const stored = storedApproval(res.approval) ?? (await readStored(approvalId, user));
    const at = stored?.decidedAt ?? deps.now().toISOString();
    const result: Decided = { by: user, decision, at };
    decided.set(approvalId, result);
    deps.log.info({ approvalId, decision, staffId: user }, 'approval decided from Slack');
    const line = decisionLine({ status: decision === 'approve' ? 'approved' : 'denied', decidedBy: { kind: 'staff', id: user }, decidedAt: at, outcome: res.outcome }, { now: deps.now() });
    await updateCard(channel, ts, stored, line).catch((err: Error) => deps.log.warn({ err: err.message, approvalId }, 'approval card not updated'));
    if (res.threadKey && res.customerMessage) {
      await deps.conversations.notifyThread(res.threadKey, res.customerMessage).catch(async (err: Error) => {
        deps.log.error({ err: err.message, approvalId }, 'customer could not be told about the decision');
        await ephemeral(channel, user, 'The decision was recorded, but the customer could not be told in their conversation. Please contact them.');
      });
    }
    return result;
  }

  async function onClick(body: BlockAction, action: ButtonAction, decision: 'approve' | 'deny'): Promise<void> {
    const user = body.user.id;
    const container = (body.container ?? {}) as { channel_id?: unknown; message_ts?: unknown };
    const channel = body.channel?.id ?? (typeof container.channel_id === 'string' ? container.channel_id : undefined);
    const ts = body.message?.ts ?? (typeof container.message_ts === 'string' ? container.message_ts : undefined);
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
    const running = decide(approvalId, decision, user, channel, ts).finally(() => inflight.delete(approvalId));
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
