import { randomBytes } from 'node:crypto';
import { htmlToText } from 'html-to-text';
import { dropDeepHidden } from './html-deep-hidden.js';
import { capHtmlDepth, DEFAULT_MAX_HTML_DEPTH } from './html-depth.js';
import { hiddenRules, isHidden, type HiddenRules, type HtmlElementLike } from './html-hidden.js';

/**
 * HTML body → the text a reader sees. Before conversion the DOM is pruned:
 * - always: invisible content (html-hidden.ts) and signatures clients mark as such (Gmail `gmail_signature`,
 *   Thunderbird `moz-signature`);
 * - for a reply (the default): quoted history. Containers that hold the quote are dropped (`blockquote`, Gmail's
 *   `gmail_quote`, Yahoo, ProtonMail, Outlook for Mac's `OLK_SRC_BODY_SECTION` …); markers after which everything
 *   is history cut the document there (Exchange/Outlook's `divRplyFwdMsg`, `appendonsend`, Hotmail's
 *   `stopSpelling`, `OutlookMessageHeader`). Exchange prefixes ids in quoted HTML with `x_`, so those match too.
 * With `keepQuoted` (reading a forwarded mail) quotes stay and are rendered as `>` lines.
 * Like html-to-text's default, only `<body>` is read when there is one.
 * The pruning runs in html-to-text's own parse (one parse), through a formatter on a wrapper element whose name is
 * random per call, so the mail cannot close it early.
 */
const MAX_HTML_CHARS = 1_000_000;
const MAX_PRUNE_DEPTH = 200;

const CUT_IDS = new Set(['divrplyfwdmsg', 'appendonsend', 'stopspelling']);
const CUT_CLASSES = ['outlookmessageheader'];
const QUOTE_IDS = new Set(['olk_src_body_section', 'mail-editor-reference-message-container']);
const QUOTE_CLASSES = ['gmail_quote', 'gmail_extra', 'yahoo_quoted', 'protonmail_quote', 'zmail_extra'];
const SIGNATURE_CLASSES = ['gmail_signature', 'moz-signature'];

interface DomNode {
  type: string;
  name?: string;
  attribs?: Record<string, string | undefined>;
  children?: DomNode[];
}

interface PruneContext {
  rules: HiddenRules;
  reply: boolean;
}

function plainId(el: HtmlElementLike): string {
  return (el.attribs.id ?? '').toLowerCase().replace(/^(?:x_)+/u, '');
}

function hasClass(el: HtmlElementLike, names: string[]): boolean {
  const cls = (el.attribs.class ?? '').toLowerCase();
  return cls !== '' && cls.split(/\s+/u).some((c) => names.includes(c.replace(/^(?:x_)+/u, '')));
}

function isSignature(el: HtmlElementLike): boolean {
  return hasClass(el, SIGNATURE_CLASSES) || el.attribs['data-smartmail'] === 'gmail_signature';
}

function replyRole(el: HtmlElementLike): 'cut' | 'quote' | undefined {
  const id = plainId(el);
  if (CUT_IDS.has(id) || hasClass(el, CUT_CLASSES)) return 'cut';
  if (el.name === 'blockquote' || QUOTE_IDS.has(id) || hasClass(el, QUOTE_CLASSES)) return 'quote';
  return undefined;
}

/** Drops hidden/quoted children in place; true when a cut marker was met (nothing after it survives). */
function prune(node: DomNode, ctx: PruneContext, depth: number): boolean {
  const kids = node.children;
  if (!kids || depth > MAX_PRUNE_DEPTH) return false;
  const kept: DomNode[] = [];
  let cut = false;
  for (const kid of kids) {
    if (kid.name !== undefined && kid.attribs) {
      const el = { name: kid.name, attribs: kid.attribs };
      if (isHidden(el, ctx.rules) || isSignature(el)) continue;
      const role = ctx.reply ? replyRole(el) : undefined;
      if (role === 'cut') {
        cut = true;
        break;
      }
      if (role === 'quote') continue;
      if (prune(kid, ctx, depth + 1)) {
        kept.push(kid);
        cut = true;
        break;
      }
    }
    kept.push(kid);
  }
  node.children = kept;
  return cut;
}

/** The document's `<body>` when it has one near the top (text outside it is markup debris), else the root itself. */
function bodyOf(root: DomNode): DomNode {
  let level: DomNode[] = root.children ?? [];
  for (let depth = 0; depth < 3 && level.length > 0; depth++) {
    const body = level.find((n) => n.name === 'body');
    if (body) return body;
    level = level.filter((n) => n.name === 'html').flatMap((n) => n.children ?? []);
  }
  return root;
}

export function htmlToPlainText(html: string, opts: { keepQuoted?: boolean } = {}): string {
  const input = html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html;
  const rules = hiddenRules(input);
  // Nesting is bounded before any tree is built (html-depth.ts) and the words of deeper markup are kept, so hidden
  // elements down there are removed first.
  const capped = capHtmlDepth(dropDeepHidden(input, DEFAULT_MAX_HTML_DEPTH, rules));
  const root = `hl-${randomBytes(8).toString('hex')}`;
  const ctx: PruneContext = { rules, reply: !opts.keepQuoted };
  const options = {
    wordwrap: false as const,
    limits: { maxDepth: 100, maxChildNodes: 5000, maxInputLength: MAX_HTML_CHARS + 100 },
    baseElements: { selectors: [root] },
    formatters: {
      visibleRoot(elem: DomNode, walk: (nodes: DomNode[] | undefined, builder: unknown) => void, builder: unknown) {
        prune(elem, ctx, 0);
        walk(bodyOf(elem).children, builder);
      },
    },
    selectors: [
      { selector: root, format: 'visibleRoot' },
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      // Layout tables read row by row, cells apart (Notes puts its "From: … To: … Date:" header in one).
      { selector: 'tr', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
      { selector: 'td', format: 'inlineSurround', options: { suffix: ' ' } },
      { selector: 'th', format: 'inlineSurround', options: { suffix: ' ' } },
    ],
  };
  return htmlToText(`<${root}>${capped}</${root}>`, options).replace(/[ \t]+$/gmu, '');
}
