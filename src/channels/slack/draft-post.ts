import { asBlocks, type WebClient } from './slack-client.js';
import type { Logger } from '../../config/logger.js';
import type { ConnectTools } from '../../conversations/types.js';
import type { Draft } from '../../store/schema.js';
import { asDraftCard, draftCardBlocks } from './draft-card.js';
import type { LaneRunner } from './rate-limit.js';
import { parseSlackThreadKey } from './thread-key.js';
import { withTools } from './tool-call.js';

/**
 * Posts a card (Send / Edit / Discard) for each draft a staff turn opened, into the Slack thread where the staff
 * member asked. Drafts from other channels' threads are not Slack's to show; a draft whose card was already posted
 * (before a restart) is not posted twice. Each card is rendered from the draft as staff tools read it.
 */
export async function postDraftCards(deps: {
  client: WebClient;
  lanes: LaneRunner;
  connectTools: ConnectTools;
  onDraftPosted?: ((draftId: string, ref: { channel: string; ts: string }) => Promise<void>) | undefined;
  threadKey: string;
  drafts: readonly Draft[];
  log: Logger;
}): Promise<void> {
  const thread = parseSlackThreadKey(deps.threadKey);
  if (!thread) return;
  for (const draft of deps.drafts) {
    if (draft.status !== 'pending' || draft.staffMessage) continue;
    const read = await withTools(deps.connectTools, { kind: 'staff', staffId: draft.staffId }, {}, (tools) => tools.call('get_draft', { draftId: draft.id }));
    const card = asDraftCard(read.draft);
    if (!card) {
      deps.log.warn({ draftId: draft.id }, 'draft could not be read back; card not posted');
      continue;
    }
    const { text, blocks } = draftCardBlocks(card);
    const res = await deps.lanes.run(thread.channel, () => deps.client.chat.postMessage({
      channel: thread.channel, thread_ts: thread.threadTs, text, blocks: asBlocks(blocks), unfurl_links: false, unfurl_media: false,
    }));
    if (res.ts) {
      await deps.onDraftPosted?.(draft.id, { channel: res.channel ?? thread.channel, ts: res.ts })
        .catch((err: Error) => deps.log.warn({ err: err.message, draftId: draft.id }, 'could not save where the draft card was posted'));
    }
    deps.log.info({ draftId: draft.id, kind: draft.kind }, 'draft card posted');
  }
}
