import { asBlocks, type WebClient } from './slack-client.js';
import type { Logger } from '../../config/logger.js';
import type { ConnectTools, CustomerDirectory, StaffNotifier } from '../../conversations/types.js';
import type { Approval } from '../../store/schema.js';
import { approvalCardBlocks, type ApprovalDetails } from './approval-card.js';
import { postDraftCards } from './draft-post.js';
import { createBoundedCache } from './bounded-cache.js';
import { escapeSlack, excerpt } from './format.js';
import type { LaneRunner } from './rate-limit.js';
import { parseSlackThreadKey } from './thread-key.js';
import { withTools } from './tool-call.js';

export interface CardRef { channel: string; ts: string }

export interface SlackStaffNotifier extends StaffNotifier {
  /** Where the card of an approval was posted by this process (also learnt from clicks). */
  cardOf(approvalId: string): CardRef | undefined;
  rememberCard(approvalId: string, ref: CardRef): void;
  /** The approval record a card was posted (or announced) from in this process. */
  approvalOf(approvalId: string): Approval | undefined;
  /** The card of an approval, rendered from the (stored) approval record. */
  renderCard(approval: Approval): Promise<{ text: string; blocks: Array<Record<string, unknown>> }>;
}

export function createStaffNotifier(deps: {
  client: WebClient;
  lanes: LaneRunner;
  staffChannel: string | undefined;
  directory: CustomerDirectory;
  connectTools: ConnectTools;
  /** Persist where a card was posted (main.ts: support.approvals.setStaffMessage). */
  onCardPosted?: ((approvalId: string, ref: CardRef) => Promise<void>) | undefined;
  /** Persist where a draft's card was posted (support.drafts.setStaffMessage). */
  onDraftPosted?: ((draftId: string, ref: CardRef) => Promise<void>) | undefined;
  log: Logger;
}): SlackStaffNotifier {
  const cards = createBoundedCache<CardRef>({ max: 5000 });
  const records = createBoundedCache<Approval>({ max: 5000 });
  const posting = new Map<string, Promise<void>>();

  async function cardLast4(approval: Approval): Promise<ApprovalDetails['card']> {
    if (!approval.cardId) return undefined;
    try {
      // read-only look-up through the customer's own tool (staff tools do not list a customer's cards)
      const details = await withTools(deps.connectTools, { kind: 'customer', customerId: approval.customerId }, {}, (tools) =>
        tools.call('get_account_details', {}));
      const card = details.cards.find((c) => c.id === approval.cardId);
      return card ? { brand: card.brand, last4: card.last4 } : undefined;
    } catch (err) {
      deps.log.warn({ err: (err as Error).message, approvalId: approval.id }, 'could not look up the card for an approval card');
      return undefined;
    }
  }

  async function details(approval: Approval): Promise<ApprovalDetails> {
    const customer = await deps.directory.byId(approval.customerId);
    const slackRef = approval.threadKey ? parseSlackThreadKey(approval.threadKey) : undefined;
    let verifiedHow = 'Verified customer';
    if (approval.channel === 'slack' || slackRef) {
      verifiedHow = customer?.slackUserId ? 'Slack account linked to the customer record' : 'Slack profile email, verified by Slack';
    } else if (approval.channel === 'email') {
      verifiedHow = 'Email sender authenticated (DMARC/DKIM)';
    } else if (approval.channel === 'terminal') {
      verifiedHow = 'Terminal session';
    }
    let permalink: string | undefined;
    if (slackRef) {
      try {
        const res = await deps.lanes.run('chat.getPermalink', () => deps.client.chat.getPermalink({ channel: slackRef.channel, message_ts: slackRef.threadTs }));
        permalink = res.permalink;
      } catch (err) {
        deps.log.warn({ err: (err as Error).message }, 'chat.getPermalink failed');
      }
    }
    const threadLabel = approval.channel === 'email' ? 'Email thread (reply goes to the customer by email)' : approval.threadKey ? `Thread ${approval.threadKey}` : undefined;
    return { customerName: customer?.name ?? approval.customerId, verifiedHow, card: await cardLast4(approval), permalink, threadLabel };
  }

  async function renderCard(approval: Approval) {
    return approvalCardBlocks(approval, await details(approval));
  }

  async function post(approval: Approval): Promise<void> {
    const channel = deps.staffChannel;
    if (!channel) {
      deps.log.warn({ approvalId: approval.id }, 'no SLACK_STAFF_CHANNEL configured; approval card not posted');
      return;
    }
    const { text, blocks } = await renderCard(approval);
    const res = await deps.lanes.run(channel, () => deps.client.chat.postMessage({ channel, text, blocks: asBlocks(blocks), unfurl_links: false, unfurl_media: false }));
    if (res.ts) {
      const ref = { channel: res.channel ?? channel, ts: res.ts };
      cards.set(approval.id, ref);
      await deps.onCardPosted?.(approval.id, ref).catch((err: Error) => deps.log.warn({ err: err.message, approvalId: approval.id }, 'could not save where the approval card was posted'));
    }
    deps.log.info({ approvalId: approval.id, channel }, 'approval card posted');
  }

  return {
    cardOf: (id) => cards.get(id),
    rememberCard: (id, ref) => cards.set(id, ref),
    approvalOf: (id) => records.get(id),
    renderCard,
    async approvalRequested(approval) {
      if (approval.status !== 'pending') return;
      records.set(approval.id, structuredClone(approval));
      if (cards.has(approval.id)) return;
      if (approval.staffMessage) {
        // posted before a restart: remember it, do not post a second card
        cards.set(approval.id, approval.staffMessage);
        return;
      }
      const running = posting.get(approval.id);
      if (running) return running;
      const p = post(approval).finally(() => posting.delete(approval.id));
      posting.set(approval.id, p);
      return p;
    },
    draftsReady: (threadKey, drafts) => postDraftCards({ ...deps, threadKey, drafts }),
    async alert(text, detailsObj) {
      const channel = deps.staffChannel;
      if (!channel) {
        deps.log.warn('no SLACK_STAFF_CHANNEL configured; alert not posted');
        return;
      }
      const blocks: Array<Record<string, unknown>> = [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${excerpt(text, 2500)}` } }];
      if (detailsObj && Object.keys(detailsObj).length > 0) {
        blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeSlack(JSON.stringify(detailsObj).slice(0, 1800)) }] });
      }
      await deps.lanes.run(channel, () => deps.client.chat.postMessage({ channel, text: `Helpline alert: ${excerpt(text, 200)}`, blocks: asBlocks(blocks), unfurl_links: false }));
    },
  };
}
