/**
 * Block Kit as text, the way a Slack client shows it: rich text (sections, lists, quotes, code), section and
 * header text, context lines, image descriptions. Used for messages whose `text` is empty and for the
 * `message_blocks` of forwarded messages. Unknown or malformed parts are skipped; output is bounded.
 */
import { slackToPlain } from './format.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const items = (v: unknown, max = 200): Obj[] => (Array.isArray(v) ? v.slice(0, max).filter(isObj) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const MAX_OUTPUT = 100_000;

function emoji(e: Obj): string {
  const unicode = str(e['unicode']);
  if (/^[0-9a-f]{2,6}(-[0-9a-f]{2,6}){0,7}$/i.test(unicode)) {
    try {
      return String.fromCodePoint(...unicode.split('-').map((h) => Number.parseInt(h, 16)));
    } catch {
      // not a code point: fall back to the name
    }
  }
  return str(e['name']) ? `:${str(e['name'])}:` : '';
}

function inline(e: Obj, botUserId: string | undefined): string {
  switch (e['type']) {
    case 'text':
      return str(e['text']);
    case 'link': {
      const url = str(e['url']);
      const label = str(e['text']);
      return label && label !== url ? `${label} (${url})` : url;
    }
    case 'user':
      return str(e['user_id']) && str(e['user_id']) !== botUserId ? `@${str(e['user_id'])}` : '';
    case 'usergroup':
      return str(e['usergroup_id']) ? `@${str(e['usergroup_id'])}` : '';
    case 'channel':
      return str(e['channel_id']) ? `#${str(e['channel_id'])}` : '';
    case 'broadcast':
      return str(e['range']) ? `@${str(e['range'])}` : '';
    case 'emoji':
      return emoji(e);
    case 'date': {
      const ts = typeof e['timestamp'] === 'number' ? e['timestamp'] : Number.NaN;
      return str(e['fallback']) || (Number.isFinite(ts) && Math.abs(ts) < 1e11 ? new Date(ts * 1000).toISOString() : '');
    }
    case 'color':
      return str(e['value']);
    default:
      return '';
  }
}

const inlines = (v: unknown, botUserId: string | undefined) => items(v, 500).map((e) => inline(e, botUserId)).join('');

function richTextPart(p: Obj, botUserId: string | undefined): string {
  switch (p['type']) {
    case 'rich_text_section':
      return inlines(p['elements'], botUserId);
    case 'rich_text_quote':
      return inlines(p['elements'], botUserId).split('\n').map((l) => `> ${l}`).join('\n');
    case 'rich_text_preformatted':
      return `\`\`\`\n${inlines(p['elements'], botUserId)}\n\`\`\``;
    case 'rich_text_list': {
      const indent = '  '.repeat(Math.min(Math.max(0, Number(p['indent']) || 0), 8));
      const start = Math.max(0, Number(p['offset']) || 0);
      return items(p['elements']).map((s, i) => `${indent}${p['style'] === 'ordered' ? `${start + i + 1}.` : '•'} ${inlines(s['elements'], botUserId)}`).join('\n');
    }
    default:
      return '';
  }
}

function textObject(t: unknown, botUserId: string | undefined): string {
  if (!isObj(t)) return '';
  return t['type'] === 'mrkdwn' ? slackToPlain(str(t['text']), botUserId) : str(t['text']);
}

function block(b: Obj, botUserId: string | undefined): string {
  switch (b['type']) {
    case 'rich_text':
      // a section followed by a list or quote sits on its own line, as in the client
      return items(b['elements']).map((p) => richTextPart(p, botUserId)).join('\n').replace(/\n{3,}/g, '\n\n');
    case 'section':
      return [textObject(b['text'], botUserId), ...items(b['fields'], 10).map((f) => textObject(f, botUserId))].filter(Boolean).join('\n');
    case 'header':
      return textObject(b['text'], botUserId);
    case 'context':
      return items(b['elements'], 10).map((e) => (e['type'] === 'image' ? '' : textObject(e, botUserId))).filter(Boolean).join(' ');
    case 'image': {
      const alt = str(b['alt_text']) || textObject(b['title'], botUserId);
      return alt ? `[image: ${alt}]` : '';
    }
    default:
      return '';
  }
}

/** The readable text of a `blocks` array (empty when there is none). */
export function renderBlocks(blocks: unknown, botUserId: string | undefined): string {
  const out = items(blocks, 100).map((b) => block(b, botUserId)).filter((t) => t.trim() !== '').join('\n');
  return (out.length > MAX_OUTPUT ? out.slice(0, MAX_OUTPUT) : out).trim();
}
