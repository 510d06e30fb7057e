/**
 * Safe text for Slack. Everything we post goes through `escapeSlack` (Slack's own rule: `&`, `<`, `>` become
 * entities), so text from a customer or the model can never form `<!channel>`, `<@U…>`, `<#C…>` or a disguised
 * `<url|label>` link. `toMrkdwn` also renders the model's Markdown as Slack mrkdwn; `formatReply` then cuts it
 * into messages under Slack's limits (see split.ts).
 */
import { SLACK_CHUNK_CHARS, splitForSlack } from './split.js';

export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const FENCE = '```';

/** Markdown (as models write it) → escaped Slack mrkdwn. Code spans and fences are escaped but otherwise untouched. */
export function toMrkdwn(markdown: string): string {
  const out: string[] = [];
  const parts = markdown.replace(/\r\n?/g, '\n').split(FENCE);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      // inside a fence: drop a language tag on the opening line (Slack shows it as text)
      const body = part.replace(/^[a-zA-Z0-9_+-]{1,20}\n/, '\n');
      out.push(FENCE + escapeSlack(body) + (i < parts.length - 1 ? FENCE : ''));
    } else {
      out.push(convertInline(part));
    }
  });
  return out.join('');
}

function convertInline(text: string): string {
  // inline code spans are kept verbatim (escaped); everything else is converted
  return text
    .split(/(`[^`\n]+`)/)
    .map((seg, i) => (i % 2 === 1 ? escapeSlack(seg) : convertProse(seg)))
    .join('');
}

const BOLD = '\u0001';

function convertProse(text: string): string {
  let s = text;
  // images and links: show the real address next to the label, never a disguised link
  s = s.replace(/!\[([^\]\n]*)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g, (_m, alt: string, url: string) => (alt ? `${alt} (${url})` : url));
  s = s.replace(/\[([^\]\n]+)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g, (_m, label: string, url: string) => (label === url ? url : `${label} (${url})`));
  // headings → bold line
  s = s.replace(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm, (_m, h: string) => `${BOLD}${h.replace(/\*\*/g, '')}${BOLD}`);
  // bold (**x**, __x__) → placeholder, italics (*x*) → _x_, then placeholder → *
  s = s.replace(/\*\*(?=\S)([^\n]*?\S)\*\*/g, `${BOLD}$1${BOLD}`);
  s = s.replace(/__(?=\S)([^\n]*?\S)__/g, `${BOLD}$1${BOLD}`);
  s = s.replace(/^([ \t]*)[*+-][ \t]+/gm, '$1• ');
  s = s.replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?!\w)/g, '$1_$2_');
  s = s.replace(/~~(?=\S)([^\n]*?\S)~~/g, '~$1~');
  s = s.replace(/^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$/gm, '──────────');
  s = s.split(BOLD).join('*');
  s = escapeSlack(s);
  // a Markdown quote stays a Slack quote (harmless: it cannot ping or link)
  s = s.replace(/^&gt;[ \t]?/gm, '> ');
  return s;
}

/** Model Markdown → escaped mrkdwn messages, ready to post. */
export function formatReply(markdown: string, limit = SLACK_CHUNK_CHARS): string[] {
  const parts = splitForSlack(toMrkdwn(markdown), limit);
  return parts.length > 0 ? parts : ['…'];
}

/** A short single-line excerpt for cards and lists (escaped). */
export function excerpt(text: string, max = 280): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return escapeSlack(flat.length > max ? `${flat.slice(0, max - 1)}…` : flat);
}

/** Slack's date token: renders in the reader's time zone, falls back to the ISO text. */
export function slackDate(iso: string): string {
  const unix = Math.floor(Date.parse(iso) / 1000);
  if (!Number.isFinite(unix)) return escapeSlack(iso);
  return `<!date^${unix}^{date_short_pretty} {time}|${escapeSlack(iso)}>`;
}

/** Slack's incoming message text (entities, `<@U…>`, `<url|label>`) → plain text for the model. */
export function slackToPlain(text: string, botUserId?: string): string {
  let s = text;
  if (botUserId) s = s.split(`<@${botUserId}>`).join(' ');
  s = s.replace(/<([^<>]*)>/g, (_m, inner: string) => {
    const [target = '', label] = inner.split('|', 2);
    if (target.startsWith('@')) return label ? `@${label}` : target;
    if (target.startsWith('#')) return label ? `#${label}` : target;
    if (target.startsWith('!')) {
      const word = target.slice(1).split('^')[0] ?? '';
      return label ?? `@${word}`;
    }
    return label && label !== target ? `${label} (${target})` : target;
  });
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/[ \t]+/g, ' ').trim();
}

/** A URL Slack gave us (e.g. a permalink) that is safe to put inside `<url|label>`. */
export function safeLink(url: string | undefined, label: string): string | undefined {
  if (!url || !/^https?:\/\/[^\s<>|]+$/.test(url)) return undefined;
  return `<${url}|${escapeSlack(label)}>`;
}
