import type { App, BlockAction, ButtonAction, ViewStateValue } from '@slack/bolt';
import { asBlocks, type WebClient } from './slack-client.js';
import type { Logger } from '../../config/logger.js';
import { deliverForStaff } from '../../conversations/ticket-replies.js';
import type { ConnectTools, ConversationsPort } from '../../conversations/types.js';
import { isAppError } from '../../errors.js';
import type { StaffCaller } from '../../support/caller.js';
import {
  ACTION_DRAFT_DISCARD, ACTION_DRAFT_EDIT, ACTION_DRAFT_SEND, asDraftCard, customerVisible, decidedDraftBlocks, DRAFT_EDIT_MODAL, draftEditModal, draftLine,
  editableInSlack, fieldLabel, SLACK_INPUT_MAX, type DraftCard,
} from './draft-card.js';
import { escapeSlack } from './format.js';
import type { LaneRunner } from './rate-limit.js';
import type { StaffAuth } from './staff-auth.js';
import { toolErrorText, withTools } from './tool-call.js';

interface CardAt { channel: string; ts: string }

/**
 * Send / Edit / Discard on draft cards. Only a person's click runs a draft: each click is checked against the staff
 * list as of now, runs `send_draft` / `discard_draft` as that person (the support layer claims the draft once, so a
 * second click is told it was already sent), and the card is re-rendered from the stored draft without its buttons.
 */
export function registerDraftActions(app: App, deps: {
  client: WebClient;
  lanes: LaneRunner;
  staff: StaffAuth;
  connectTools: ConnectTools;
  /** Delivers a sent public reply to the customer (and records it on the ticket). */
  conversations: Pick<ConversationsPort, 'deliverStaffReplies'>;
  /** The staff member as a Caller, with their Slack-verified email. */
  staffCaller: (userId: string) => Promise<StaffCaller>;
  teamOk: (teamId: string | undefined) => boolean;
  track: (p: Promise<unknown>) => void;
  log: Logger;
}): void {
  const ephemeral = (channel: string | undefined, user: string, text: string) =>
    channel
      ? deps.lanes.run(`eph:${channel}`, () => deps.client.chat.postEphemeral({ channel, user, text })).then(() => undefined, (err: Error) => deps.log.warn({ err: err.message }, 'postEphemeral failed'))
      : Promise.resolve();

  const asStaff = <R>(caller: StaffCaller, fn: Parameters<typeof withTools<StaffCaller, R>>[3]) => withTools(deps.connectTools, caller, {}, fn);

  async function updateCard(at: CardAt | undefined, d: DraftCard | undefined, by: string | undefined, extra: string[] = []): Promise<void> {
    if (!at || !d) return;
    const line = [draftLine(d, by), ...extra].join('\n');
    await deps.lanes.run(at.channel, () => deps.client.chat.update({ channel: at.channel, ts: at.ts, text: line, blocks: asBlocks(decidedDraftBlocks(d, line)) }))
      .catch((err: Error) => deps.log.warn({ err: err.message, draftId: d.id }, 'draft card not updated'));
  }

  /** Runs send or discard as `user`; reports refusals to them, and brings the card up to date either way. */
  async function decide(verb: 'send' | 'discard', draftId: string, user: string, at: CardAt | undefined, edits?: Record<string, string>): Promise<void> {
    if (!(await deps.staff.isStaff(user, { fresh: true }))) {
      deps.log.warn({ draftId, userId: user }, 'draft click from a non-staff user refused');
      await ephemeral(at?.channel, user, 'Only Helpline support staff can send or discard drafts. Nothing was changed.');
      return;
    }
    const caller = await deps.staffCaller(user);
    try {
      const res = await asStaff(caller, (tools) => (verb === 'send' ? tools.call('send_draft', { draftId, ...(edits ? { edits } : {}) }) : tools.call('discard_draft', { draftId })));
      deps.log.info({ draftId, staffId: user, verb, edited: Object.keys(edits ?? {}) }, 'draft decided from Slack');
      const d = asDraftCard(res.draft);
      // a sent public reply goes to the customer now; the card says whether it reached them
      const outcomes = d?.status === 'sent' && customerVisible(d) ? await deliverForStaff(deps.conversations, String(d.input['ticketId']), deps.log) : [];
      await updateCard(at, d, user, outcomes.map((o) => `${o.reached ? ':incoming_envelope:' : ':warning:'} ${escapeSlack(o.text)}`));
      const missed = outcomes.filter((o) => !o.reached);
      if (missed.length) await ephemeral(at?.channel, user, escapeSlack(missed.map((o) => o.text).join('\n')));
    } catch (err) {
      const said = toolErrorText(err);
      if (said === undefined) deps.log.error({ err: (err as Error).message, draftId }, `${verb}_draft failed`);
      const message = said ?? 'Something went wrong; please try again.';
      if (isAppError(err) && ['already_decided', 'expired'].includes(err.code)) {
        const stored = await asStaff(caller, (tools) => tools.call('get_draft', { draftId })).catch(() => undefined);
        await updateCard(at, asDraftCard(stored?.draft), undefined);
      }
      await ephemeral(at?.channel, user, escapeSlack(message));
    }
  }

  function where(body: BlockAction): CardAt | undefined {
    const container = (body.container ?? {}) as { channel_id?: unknown; message_ts?: unknown };
    const channel = body.channel?.id ?? (typeof container.channel_id === 'string' ? container.channel_id : undefined);
    const ts = body.message?.ts ?? (typeof container.message_ts === 'string' ? container.message_ts : undefined);
    return channel && ts ? { channel, ts } : undefined;
  }

  for (const [actionId, verb] of [[ACTION_DRAFT_SEND, 'send'], [ACTION_DRAFT_DISCARD, 'discard']] as const) {
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: actionId }, async ({ ack, body, action }) => {
      await ack();
      if (!deps.teamOk(body.team?.id) || !action.value) return;
      deps.track(decide(verb, action.value, body.user.id, where(body)).catch((err: Error) => deps.log.error({ err: err.message }, 'draft click failed')));
    });
  }

  async function openEditor(draftId: string, user: string, triggerId: string, at: CardAt | undefined): Promise<void> {
    if (!at) return;
    if (!(await deps.staff.isStaff(user, { fresh: true }))) {
      await ephemeral(at.channel, user, 'Only Helpline support staff can edit drafts.');
      return;
    }
    try {
      const res = await asStaff(await deps.staffCaller(user), (tools) => tools.call('get_draft', { draftId }));
      const d = asDraftCard(res.draft);
      if (d?.status !== 'pending') {
        await updateCard(at, d, undefined);
        await ephemeral(at.channel, user, 'This draft is no longer waiting to be sent.');
        return;
      }
      if (!editableInSlack(d)) {
        await ephemeral(at.channel, user, 'This draft is too long to edit in Slack. Send it as it is, or discard it and ask for a shorter one.');
        return;
      }
      await deps.lanes.run('views.open', () => deps.client.views.open({ trigger_id: triggerId, view: draftEditModal(d, at) }));
    } catch (err) {
      deps.log.warn({ err: (err as Error).message, draftId }, 'draft editor could not be opened');
      const said = toolErrorText(err);
      await ephemeral(at.channel, user, said !== undefined ? escapeSlack(said) : 'The editor could not be opened; please try again.');
    }
  }

  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: ACTION_DRAFT_EDIT }, async ({ ack, body, action }) => {
    await ack();
    if (!deps.teamOk(body.team?.id) || !action.value) return;
    // trigger_id is valid for 3 s: the editor is opened while the click is still being answered
    await openEditor(action.value, body.user.id, body.trigger_id, where(body)).catch((err: Error) => deps.log.error({ err: err.message }, 'draft edit failed'));
  });

  app.view(DRAFT_EDIT_MODAL, async ({ ack, body, view }) => {
    if (!deps.teamOk(body.team?.id)) return void (await ack());
    const meta = parseMeta(view.private_metadata);
    if (!meta) return void (await ack());
    const edits: Record<string, string> = {};
    const errors: Record<string, string> = {};
    for (const [field, slot] of Object.entries(view.state.values as Record<string, Record<string, ViewStateValue>>)) {
      const value = typeof slot['value']?.value === 'string' ? slot['value'].value.trim() : '';
      if (value.length > SLACK_INPUT_MAX) errors[field] = `${fieldLabel(field)} can be at most ${SLACK_INPUT_MAX} characters.`;
      else if (!value && field !== 'note') errors[field] = `${fieldLabel(field)} cannot be empty.`;
      else edits[field] = value;
    }
    if (Object.keys(errors).length) return void (await ack({ response_action: 'errors', errors }));
    await ack();
    deps.track(decide('send', meta.draftId, body.user.id, { channel: meta.channel, ts: meta.ts }, edits).catch((err: Error) => deps.log.error({ err: err.message }, 'draft send failed')));
  });
}

function parseMeta(raw: string | undefined): { draftId: string; channel: string; ts: string } | undefined {
  try {
    const m = JSON.parse(raw ?? '') as Record<string, unknown>;
    return typeof m['draftId'] === 'string' && typeof m['channel'] === 'string' && typeof m['ts'] === 'string'
      ? { draftId: m['draftId'], channel: m['channel'], ts: m['ts'] }
      : undefined;
  } catch {
    return undefined;
  }
}
