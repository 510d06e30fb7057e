import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers for every page that handles a reset token: no caching, no referrer, no framing, a strict CSP. */
export function setSecureHeaders(res: ServerResponse): void {
  res.setHeader('Cache-Control', 'no-store, max-age=0');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'self'; img-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
}

/**
 * A form POST from another site: an Origin that is neither the public origin nor this host. A missing Origin, or
 * `null` (what Chromium sends for a form on a page with `Referrer-Policy: no-referrer`, i.e. ours), says nothing:
 * the CSRF pair (and the SameSite=Strict cookie) decides then.
 */
export function foreignOrigin(req: IncomingMessage, publicOrigin: string | undefined): boolean {
  const origin = req.headers.origin;
  if (!origin || origin === 'null' || !publicOrigin) return false;
  return origin !== publicOrigin && origin !== `http://${req.headers.host}`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/**
 * CSRF protection by double submit: the form carries an HMAC of the reset token under a per-process key and
 * the same value is set as a SameSite=Strict cookie; a POST must present both, equal.
 */
export function createCsrf(key: Buffer) {
  const sign = (token: string) => createHmac('sha256', key).update(token).digest('base64url');
  return {
    issue(token: string): string {
      return sign(token);
    },
    verify(token: string, formValue: string | undefined, cookieValue: string | undefined): boolean {
      if (!formValue || !cookieValue) return false;
      const expected = Buffer.from(sign(token));
      const a = Buffer.from(formValue);
      const b = Buffer.from(cookieValue);
      return a.length === expected.length && b.length === expected.length && timingSafeEqual(a, expected) && timingSafeEqual(b, expected);
    },
  };
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}
