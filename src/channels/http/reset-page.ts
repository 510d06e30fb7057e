import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../config/index.js';
import { isAppError } from '../../errors.js';
import { createRateLimiter } from './rate-limit.js';
import { resetDonePage, resetFormPage, resetRefusedPage } from './reset-html.js';
import { createCsrf, parseCookies, setSecureHeaders } from './security.js';

/** The slice of support the page needs (wired from support.passwords in app). */
export interface PasswordResetPort {
  inspectToken(token: string): { valid: true; customerId: string; email: string } | { valid: false; reason: 'unknown' | 'used' | 'expired' };
  resetWithToken(token: string, newPassword: string): Promise<{ customerId: string }>;
}

const TOKEN_RE = /^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{16,128}$/;
const MAX_BODY = 8 * 1024;

function send(res: ServerResponse, status: number, html: string, extra: Record<string, string> = {}) {
  setSecureHeaders(res);
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', ...extra });
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return undefined;
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * GET /reset/<token> shows the form; POST sets the password through support (policy and hashing live there).
 * Tokens are capabilities: never logged, never put in a Referer (no-referrer), single use.
 */
export function createResetPage(deps: { passwords: PasswordResetPort; log: Logger; publicOrigin?: string | undefined; limits?: { perToken: number; perAddress: number; windowMs: number } }) {
  const limits = deps.limits ?? { perToken: 5, perAddress: 30, windowMs: 15 * 60_000 };
  const perToken = createRateLimiter({ limit: limits.perToken, windowMs: limits.windowMs });
  const perAddress = createRateLimiter({ limit: limits.perAddress, windowMs: limits.windowMs });
  const csrf = createCsrf(randomBytes(32));

  return async function handle(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    const address = req.socket.remoteAddress ?? 'unknown';
    if (!TOKEN_RE.test(token)) return send(res, 404, resetRefusedPage('unknown'));
    const tokenId = token.split('.')[0] ?? token;
    if (!perAddress.hit(address) || !perToken.hit(tokenId)) {
      deps.log.warn({ tokenId, address }, 'reset page rate limited');
      return send(res, 429, resetRefusedPage('rate_limited'), { 'Retry-After': String(Math.ceil(limits.windowMs / 1000)) });
    }
    const state = deps.passwords.inspectToken(token);
    if (!state.valid) return send(res, state.reason === 'unknown' ? 404 : 410, resetRefusedPage(state.reason));
    const action = `/reset/${token}`;
    const masked = state.email.replace(/^(.)[^@]*(@.*)$/, '$1…$2');

    if (req.method === 'GET') {
      const value = csrf.issue(token);
      return send(res, 200, resetFormPage({ action, csrf: value, email: masked }), {
        'Set-Cookie': `helpline_csrf=${value}; Path=/reset/; HttpOnly; SameSite=Strict`,
      });
    }
    if (req.method !== 'POST') return send(res, 405, resetRefusedPage('bad_request'), { Allow: 'GET, POST' });

    const origin = req.headers.origin;
    if (origin && deps.publicOrigin && origin !== deps.publicOrigin && origin !== `http://${req.headers.host}`) {
      return send(res, 403, resetRefusedPage('bad_request'));
    }
    const form = await readForm(req);
    const cookie = parseCookies(req.headers.cookie)['helpline_csrf'];
    if (!form || !csrf.verify(token, form.get('csrf') ?? undefined, cookie)) return send(res, 403, resetRefusedPage('bad_request'));
    const password = form.get('password') ?? '';
    const again = csrf.issue(token);
    if (password !== (form.get('confirm') ?? '')) {
      return send(res, 400, resetFormPage({ action, csrf: again, email: masked, error: 'The two passwords do not match.' }));
    }
    try {
      const { customerId } = await deps.passwords.resetWithToken(token, password);
      deps.log.info({ customerId, tokenId }, 'password reset completed');
      return send(res, 200, resetDonePage(), { 'Set-Cookie': 'helpline_csrf=; Path=/reset/; Max-Age=0; HttpOnly; SameSite=Strict' });
    } catch (err) {
      if (isAppError(err, 'bad_input')) return send(res, 400, resetFormPage({ action, csrf: again, email: masked, error: err.message }));
      if (isAppError(err, 'expired')) return send(res, 410, resetRefusedPage('expired'));
      if (isAppError(err, 'conflict') || isAppError(err, 'already_decided')) return send(res, 410, resetRefusedPage('used'));
      if (isAppError(err, 'not_found')) return send(res, 404, resetRefusedPage('unknown'));
      throw err;
    }
  };
}
