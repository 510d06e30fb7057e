/**
 * Is the From address really the sender? Only an `Authentication-Results` header added by OUR receiving server
 * (authserv-id === trustedAuthservId) counts, and only the first such header from the top: anything below it was
 * added before our server saw the message and can be forged, and headers naming another authserv-id are ignored.
 * Verified means `dmarc=pass` (for the From domain when the result names it) or `dkim=pass` with a signing domain
 * (`header.d`, or the domain of `header.i`) aligned with the From domain. `verifySender: false` trusts the From
 * address outright — only for a trusted internal relay that has already authenticated the mail.
 */
export interface SenderAuthInput {
  fromAddresses: string[];
  /** The raw From header(s) held more than one address or more than one From header: never verified. */
  ambiguousFrom?: boolean;
  authResults: string[];
  trustedAuthservId?: string | undefined;
  verifySender: boolean;
}

export interface SenderAuth {
  verified: boolean;
  verification: string;
  /** Our own server says DMARC failed for the From domain: the From address is very likely forged. */
  forged?: boolean;
}

export interface AuthResult {
  method: string;
  result: string;
  props: Record<string, string>;
}

/** Remove RFC 5322 comments `( … )`, including nested ones, in one linear pass. */
function stripComments(value: string): string {
  if (!value.includes('(')) return value; // the usual header: nothing to strip, nothing to copy
  let depth = 0;
  let out = '';
  let quoted = false;
  let from = 0; // start of the run of kept characters not yet copied to `out`
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    if (ch === 34 /* " */ && depth === 0) quoted = !quoted;
    if (!quoted && ch === 40 /* ( */) {
      if (depth === 0) out += value.slice(from, i);
      depth++;
    } else if (!quoted && ch === 41 /* ) */ && depth > 0) {
      depth--;
      if (depth === 0) from = i + 1;
    }
  }
  return depth === 0 ? out + value.slice(from) : out;
}

export function parseAuthenticationResults(value: string): { authservId: string; results: AuthResult[] } {
  const parts = stripComments(value).split(';').map((p) => p.trim());
  const authservId = (parts[0] ?? '').split(/\s+/u)[0]?.toLowerCase() ?? '';
  const results: AuthResult[] = [];
  for (const part of parts.slice(1)) {
    const tokens = part.split(/\s+/u).filter(Boolean);
    const head = tokens[0]?.match(/^([a-z0-9_-]+)=([a-z]+)$/iu);
    if (!head?.[1] || !head[2]) continue;
    const props: Record<string, string> = {};
    for (const token of tokens.slice(1)) {
      const kv = token.match(/^([a-z0-9_-]+\.[a-z0-9_-]+)=(.+)$/iu);
      if (kv?.[1] && kv[2]) props[kv[1].toLowerCase()] = kv[2].replace(/^"|"$/gu, '').toLowerCase();
    }
    results.push({ method: head[1].toLowerCase(), result: head[2].toLowerCase(), props });
  }
  return { authservId, results };
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return (at >= 0 ? address.slice(at + 1) : address).toLowerCase().replace(/\.$/u, '');
}

/** Relaxed alignment without a public-suffix list: same domain, or one is a subdomain of the other (≥ 2 labels). */
export function aligned(signingDomain: string, fromDomain: string): boolean {
  const d = signingDomain.toLowerCase().replace(/\.$/u, '');
  const f = fromDomain.toLowerCase();
  if (!d.includes('.') || !f.includes('.')) return false;
  return d === f || f.endsWith(`.${d}`) || d.endsWith(`.${f}`);
}

export function verifySenderAuth(input: SenderAuthInput): SenderAuth {
  if (input.fromAddresses.length !== 1) {
    return { verified: false, verification: input.fromAddresses.length === 0 ? 'no From address' : 'multiple From addresses' };
  }
  if (input.ambiguousFrom) return { verified: false, verification: 'ambiguous From header' };
  if (!input.verifySender) return { verified: true, verification: 'verification disabled (trusted relay)' };
  const trusted = input.trustedAuthservId?.trim().toLowerCase();
  if (!trusted) return { verified: false, verification: 'no trusted authserv-id configured' };
  const header = input.authResults.map(parseAuthenticationResults).find((h) => h.authservId === trusted);
  if (!header) return { verified: false, verification: 'no trusted Authentication-Results' };
  const fromDomain = domainOf(input.fromAddresses[0] ?? '');
  const dmarc = header.results.find((r) => r.method === 'dmarc' && r.result === 'pass');
  if (dmarc && (!dmarc.props['header.from'] || dmarc.props['header.from'] === fromDomain)) {
    return { verified: true, verification: `dmarc=pass (${trusted})` };
  }
  for (const r of header.results) {
    if (r.method !== 'dkim' || r.result !== 'pass') continue;
    const d = r.props['header.d'] ?? (r.props['header.i'] ? domainOf(r.props['header.i']) : undefined);
    if (d && aligned(d, fromDomain)) return { verified: true, verification: `dkim=pass header.d=${d} (${trusted})` };
  }
  const summary = header.results.map((r) => `${r.method}=${r.result}`).join(' ') || 'no results';
  const forged = header.results.some((r) => r.method === 'dmarc' && r.result === 'fail' && (!r.props['header.from'] || r.props['header.from'] === fromDomain));
  return { verified: false, verification: `not aligned/passing: ${summary} (${trusted})`, ...(forged ? { forged: true } : {}) };
}
