/**
 * What model text may carry out of Helpline to a person who is not staff: links only to allow-listed domains.
 * A forged or injected mail can make a model write an attacker's URL; without this, Helpline would deliver it
 * from the bank's own support address or bot (a phishing relay). Every web address in the reply — scheme URLs,
 * `www.` hosts, bare `host.tld/path`, Slack `<url|label>` and Markdown `[label](url)` forms — whose host is not an
 * allowed domain (or a subdomain of one) is replaced by a marker. Linear scan; staff sessions are not filtered.
 */
export const LINK_REMOVED = '[link removed]';

export interface OutboundPolicy {
  /** The text as it may be delivered, and how many links were removed. */
  apply(text: string): { text: string; removed: number };
}

const HOST = '(?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\\.)+';
/** URL characters: up to whitespace, quotes, a backtick, or a closing bracket of the Slack / Markdown link forms. */
const PATH = '[^\\s<>"\'`|\\])]';
/** TLDs that mail and chat clients turn into links even without a scheme or path ("visit evil-bank.com"). */
const LINKED_TLDS = 'com|net|org|info|biz|io|co|app|dev|me|us|uk|eu|de|fr|nl|ru|cn|xyz|top|online|site|shop|store|live|link|click|ly|gl|cc|ws|pw|tk|ml|ga|cf|gq|page|bank|money|finance|support|help|login|secure';
/**
 * A URL with a scheme, a `www.` host, a bare host with a path, or a bare host on a TLD clients auto-link;
 * not the domain of an email address (`@` before it), which is no link.
 */
const LINK = new RegExp(
  `\\b(?:(?:https?|ftp):\\/\\/|www\\.)${PATH}{1,2000}` +
    `|(?<![@\\w.-])${HOST}[a-z]{2,24}\\/${PATH}{0,2000}` +
    `|(?<![@\\w.-])${HOST}(?:${LINKED_TLDS})\\b(?![@\\w-]|\\.\\w)`,
  'giu',
);
/** Characters that end a sentence rather than a URL. */
const TRAILING = /[.,;:!?]+$/u;

function hostOf(link: string): string | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//iu.test(link) ? link : `http://${link}`;
  try {
    return new URL(withScheme).hostname.toLowerCase().replace(/\.$/u, '');
  } catch {
    return undefined;
  }
}

export function createOutboundPolicy(opts: { allowedLinkDomains: readonly string[] }): OutboundPolicy {
  const allowed = opts.allowedLinkDomains.map((d) => d.trim().toLowerCase().replace(/^\*\./u, '').replace(/\.$/u, '')).filter(Boolean);
  const isAllowed = (host: string) => allowed.some((d) => host === d || host.endsWith(`.${d}`));
  return {
    apply(text) {
      let removed = 0;
      const out = text.replace(LINK, (match) => {
        const tail = TRAILING.exec(match)?.[0] ?? '';
        const link = tail ? match.slice(0, -tail.length) : match;
        const host = hostOf(link);
        if (host && isAllowed(host)) return match;
        removed++;
        return `${LINK_REMOVED}${tail}`;
      });
      return { text: out, removed };
    },
  };
}

/** The allow-list from configuration: the operator's domains plus the host of our own public base URL. */
export function allowedLinkDomains(configured: readonly string[], publicBaseUrl: string): string[] {
  const own = (() => {
    try {
      return new URL(publicBaseUrl).hostname;
    } catch {
      return '';
    }
  })();
  return [...new Set([...configured, own].map((d) => d.trim().toLowerCase()).filter(Boolean))];
}
