/**
 * A linear pre-pass over HTML that bounds how deeply elements nest, before any HTML parser builds a tree.
 * Deep nesting (a "div bomb") makes tree building and HTML-to-text conversion super-linear: 1 MiB of nested
 * `<div>`s took seconds in htmlparser2 + html-to-text. Tags deeper than `maxDepth` are dropped and their text
 * kept, so the words still reach the reader and the tree stays shallow. Comments are dropped (never shown).
 * One pass of `indexOf` scans: O(length), no backtracking.
 */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'basefont', 'bgsound', 'frame', 'keygen']);
/** Elements whose content is raw text up to their end tag. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext']);
const TAG_NAME = /^<(\/?)([a-zA-Z][a-zA-Z0-9:-]{0,63})/u;

export const DEFAULT_MAX_HTML_DEPTH = 64;

export function capHtmlDepth(html: string, maxDepth = DEFAULT_MAX_HTML_DEPTH): string {
  const lower = html.toLowerCase();
  const out: string[] = [];
  let kept = 0; // html[kept, i) is still to be copied: only dropped spans cost a slice
  const drop = (from: number, to: number) => {
    if (from > kept) out.push(html.slice(kept, from));
    kept = to;
  };
  let depth = 0;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      drop(lt, i);
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    if (gt < 0) break;
    i = gt + 1;
    const m = TAG_NAME.exec(html.slice(lt, Math.min(gt + 1, lt + 66)));
    if (!m) continue; // doctype, processing instruction or a literal '<'
    const name = (m[2] ?? '').toLowerCase();
    if (m[1] === '/') {
      if (depth > 0 && !VOID.has(name)) depth--;
      if (depth >= maxDepth) drop(lt, i);
      continue;
    }
    const keep = depth < maxDepth;
    if (!keep) drop(lt, i);
    if (RAW_TEXT.has(name)) {
      const close = lower.indexOf(`</${name}`, i);
      if (close < 0) {
        if (!keep) drop(i, html.length);
        i = html.length;
        break;
      }
      const closeEnd = html.indexOf('>', close);
      const after = closeEnd < 0 ? html.length : closeEnd + 1;
      if (!keep) drop(i, after);
      i = after;
      continue;
    }
    if (!VOID.has(name) && html.charCodeAt(gt - 1) !== 47 /* '/>' */) depth++;
  }
  if (kept < html.length) out.push(html.slice(kept));
  return out.join('');
}
