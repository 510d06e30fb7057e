import { isHidden, type HiddenRules } from './html-hidden.js';

/**
 * Removes invisible elements nested deeper than `fromDepth`, on the HTML string, before the nesting bound
 * (html-depth.ts) flattens those levels: flattening keeps the words of deep markup but forgets the tags, so hidden
 * text down there would otherwise become visible (a prompt-injection route). Shallower elements are left to the DOM
 * pruning (html-text.ts). Same tag scan as html-depth.ts: `indexOf` steps, comments and raw-text elements skipped,
 * void and self-closed tags not nested; an unclosed hidden element hides the rest. Linear in the input.
 */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'basefont', 'bgsound', 'frame', 'keygen']);
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext']);
const TAG_NAME = /^<(\/?)([a-zA-Z][a-zA-Z0-9:-]{0,63})/u;
const MAX_TAG_SCAN = 8000;
const NAMED = ['style', 'class', 'id', 'type'].map((n) => [n, new RegExp(`\\s${n}\\s*=\\s*(?:"([^"]{0,2000})"|'([^']{0,2000})'|([^\\s"'>]{1,200}))`, 'iu')] as const);
const HIDDEN_ATTRIBUTE = /\shidden(?=[\s=/>])/iu;

/** The attributes that decide visibility, read from one start tag. */
function attributes(tag: string): Record<string, string> {
  const t = tag.slice(0, MAX_TAG_SCAN);
  const out: Record<string, string> = {};
  for (const [name, re] of NAMED) {
    const m = re.exec(t);
    if (m) out[name] = m[1] ?? m[2] ?? m[3] ?? '';
  }
  if (HIDDEN_ATTRIBUTE.test(t)) out.hidden = '';
  return out;
}

export function dropDeepHidden(html: string, fromDepth: number, rules: HiddenRules): string {
  const lower = html.toLowerCase();
  const out: string[] = [];
  let kept = 0;
  let depth = 0;
  /** Depth of the hidden element being dropped, and where it started. */
  let hiddenAt = -1;
  let hiddenFrom = 0;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    if (gt < 0) break;
    i = gt + 1;
    const m = TAG_NAME.exec(html.slice(lt, Math.min(gt + 1, lt + 66)));
    if (!m) continue;
    const name = (m[2] ?? '').toLowerCase();
    if (m[1] === '/') {
      if (depth > 0 && !VOID.has(name)) depth--;
      if (hiddenAt >= 0 && depth <= hiddenAt) {
        if (hiddenFrom > kept) out.push(html.slice(kept, hiddenFrom));
        kept = i;
        hiddenAt = -1;
      }
      continue;
    }
    const selfClosed = VOID.has(name) || html.charCodeAt(gt - 1) === 47;
    if (hiddenAt < 0 && depth >= fromDepth && isHidden({ name, attribs: attributes(html.slice(lt, gt + 1)) }, rules)) {
      if (selfClosed) {
        if (lt > kept) out.push(html.slice(kept, lt));
        kept = i;
      } else {
        hiddenAt = depth;
        hiddenFrom = lt;
      }
    }
    if (selfClosed) continue;
    depth++;
    if (RAW_TEXT.has(name)) {
      const close = lower.indexOf(`</${name}`, i);
      i = close < 0 ? html.length : close;
    }
  }
  if (hiddenAt >= 0) {
    if (hiddenFrom > kept) out.push(html.slice(kept, hiddenFrom));
    return out.join('');
  }
  if (kept < html.length) out.push(html.slice(kept));
  return out.join('');
}
