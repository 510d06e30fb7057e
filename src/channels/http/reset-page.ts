import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../config/index.js';
import { isAppError } from '../../errors.js';
import { createClientAddress } from './client-address.js';
import { createResetFailures, DEFAULT_RESET_LIMITS, type ResetLimits } from './reset-failures.js';
import { resetDonePage, resetFormPage, resetRefusedPage } from './reset-html.js';
import { createCsrf, parseCookies, setSecureHeaders } from './security.js';

/** The slice of support the page needs (wired from support.passwords in app). */
export interface PasswordResetPort {
  inspectToken(token: string): Promise<{ valid: true; customerId: string; email: string } | { valid: false; reason: 'unknown' | 'used' | 'expired' }>;
  resetWithToken(token: string, newPassword: string): Promise<{ customerId: string }>;
}

export interface ResetPageDeps {
  passwords: PasswordResetPort;
  log: Logger;
  publicOrigin?: string | undefined;
  limits?: ResetLimits | undefined;
  /** Proxies whose X-Forwarded-For is believed: IPs, CIDR ranges, or `loopback` (see client-address.ts). Default none. */
  trustedProxies?: readonly string[] | undefined;
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
 * Only failures are counted and throttled (see reset-failures.ts): a link that verifies always gets its form.
 */
export function createResetPage(deps: ResetPageDeps) {
  const failures = createResetFailures(deps.limits ?? DEFAULT_RESET_LIMITS);
  const clientAddress = createClientAddress({ trustedProxies: deps.trustedProxies });
  const csrf = createCsrf(randomBytes(32));

  return async function handle(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    const client = clientAddress(req);
    const tokenId = TOKEN_RE.test(token) ? token.slice(0, token.indexOf('.')) : undefined;
    /** Answers a failure with its own page, or 429 once the failure put the client or token over its limit. */
    const refuse = (retryMs: number, status: number, reason: 'unknown' | 'used' | 'expired' | 'bad_request') => {
      if (retryMs === 0) return send(res, status, resetRefusedPage(reason));
      deps.log.warn({ tokenId, client }, 'reset page rate limited');
      return send(res, 429, resetRefusedPage('rate_limited'), { 'Retry-After': String(Math.ceil(retryMs / 1000)) });
    };
    if (tokenId === undefined) return refuse(failures.verification(client, undefined), 404, 'unknown');
    const state = await deps.passwords.inspectToken(token);
    if (!state.valid) return refuse(failures.verification(client, tokenId), state.reason === 'unknown' ? 404 : 410, state.reason);
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
      return refuse(failures.form(tokenId), 403, 'bad_request');
    }
    const form = await readForm(req);
    const cookie = parseCookies(req.headers.cookie)['helpline_csrf'];
    if (!form || !csrf.verify(token, form.get('csrf') ?? undefined, cookie)) return refuse(failures.form(tokenId), 403, 'bad_request');
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
