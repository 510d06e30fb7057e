/**
 * What a person sent, as Slack clients show it: the message text (or its rich-text blocks when the text is empty),
 * then each forwarded or shared message (attachments with `is_share` / `is_msg_unfurl` / `message_blocks`) quoted
 * with its author, and a plain line for each file we cannot open. Everything Slack sends here is read defensively:
 * a field of the wrong type counts as absent.
 */
import { slackToPlain } from './format.js';
import { renderBlocks } from './rich-text.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const list = (v: unknown, max = 50): Obj[] => (Array.isArray(v) ? v.slice(0, max).filter(isObj) : []);
const quote = (text: string) => text.split('\n').map((l) => `> ${l}`).join('\n');

function shareBody(a: Obj, botUserId: string | undefined): string {
  const fromBlocks = list(a['message_blocks'])
    .map((mb) => (isObj(mb['message']) ? renderBlocks((mb['message'] as Obj)['blocks'], botUserId) : ''))
    .filter(Boolean)
    .join('\n');
  if (fromBlocks.trim()) return fromBlocks;
  const text = str(a['text']) ?? str(a['fallback']);
  return text ? slackToPlain(text, botUserId) : '';
}

/** A forwarded / shared message, or another attachment's readable parts. */
function attachmentText(a: Obj, botUserId: string | undefined): string {
  const plain = (v: unknown) => (str(v) ? slackToPlain(str(v) as string, botUserId) : '');
  const shared = a['is_share'] === true || a['is_msg_unfurl'] === true || Array.isArray(a['message_blocks']);
  const parts: string[] = [];
  if (plain(a['pretext'])) parts.push(plain(a['pretext']));
  if (shared) {
    const author = str(a['author_name']) ?? str(a['author_subname']) ?? str(a['author_id']);
    const where = str(a['channel_name']) ? ` in #${str(a['channel_name'])}` : '';
    const body = shareBody(a, botUserId);
    parts.push(`[${a['is_msg_unfurl'] === true ? 'Linked' : 'Forwarded'} message${author ? ` from ${author.slice(0, 100)}` : ''}${where.slice(0, 120)}]`);
    if (plain(a['title'])) parts.push(plain(a['title']));
    parts.push(body ? quote(body) : '> (no text)');
  } else {
    for (const key of ['title', 'text'] as const) if (plain(a[key])) parts.push(plain(a[key]));
    if (!str(a['title']) && !str(a['text']) && plain(a['fallback'])) parts.push(plain(a['fallback']));
  }
  return parts.join('\n');
}

function fileLine(f: Obj): string {
  const name = (str(f['name']) ?? str(f['title']) ?? 'unnamed').replace(/\s+/g, ' ').slice(0, 120);
  const kind = (str(f['pretty_type']) ?? str(f['filetype']) ?? str(f['mimetype']) ?? 'unknown type').replace(/\s+/g, ' ').slice(0, 60);
  const gone = f['mode'] === 'tombstone' || f['mode'] === 'hidden_by_limit';
  return gone
    ? `[the customer attached a file (${name}, ${kind}) that is no longer available]`
    : `[the customer attached a file (${name}, ${kind}) that I cannot open]`;
}

/** The text the agent gets for one message event. Empty when there is nothing at all. */
export function messageText(e: { text?: string | undefined; blocks?: unknown; attachments?: unknown; files?: unknown }, botUserId: string | undefined): string {
  let own = slackToPlain(e.text ?? '', botUserId);
  if (!own) own = renderBlocks(e.blocks, botUserId);
  const attachments = list(e.attachments);
  const isShare = (a: Obj) => a['is_share'] === true || a['is_msg_unfurl'] === true || Array.isArray(a['message_blocks']);
  // link previews repeat what the text already says; other attachments are read only when the message has no text
  const extra = attachments.filter((a) => isShare(a) || !own);
  const parts = [own, ...extra.map((a) => attachmentText(a, botUserId)), ...list(e.files, 20).map(fileLine)];
  return parts.filter((p) => p.trim() !== '').join('\n\n');
}
