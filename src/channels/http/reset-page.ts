import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../config/index.js';
import { isAppError } from '../../errors.js';
import { createClientAddress } from './client-address.js';
import { createResetFailures, DEFAULT_RESET_LIMITS, type ResetLimits } from './reset-failures.js';
import { resetDonePage, resetFormPage, resetRefusedPage } from './reset-html.js';
import { createCsrf, foreignOrigin, parseCookies } from './security.js';
import { readForm, sendPage } from './form-page.js';

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

const TOKEN_RE = /^[A-Za-z0-9_-]{1,64}\.(?:\d{1,2}\.)?[A-Za-z0-9_-]{16,128}$/;
const MAX_BODY = 8 * 1024;


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
      if (retryMs === 0) return sendPage(res, status, resetRefusedPage(reason));
      deps.log.warn({ tokenId, client }, 'reset page rate limited');
      return sendPage(res, 429, resetRefusedPage('rate_limited'), { 'Retry-After': String(Math.ceil(retryMs / 1000)) });
    };
    if (tokenId === undefined) return refuse(failures.verification(client, undefined), 404, 'unknown');
    const state = await deps.passwords.inspectToken(token);
    if (!state.valid) return refuse(failures.verification(client, tokenId), state.reason === 'unknown' ? 404 : 410, state.reason);
    const action = `/reset/${token}`;
    const masked = state.email.replace(/^(.)[^@]*(@.*)$/, '$1…$2');

    if (req.method === 'GET') {
      const value = csrf.issue(token);
      return sendPage(res, 200, resetFormPage({ action, csrf: value, email: masked }), {
        'Set-Cookie': `helpline_csrf=${value}; Path=/reset/; HttpOnly; SameSite=Strict`,
      });
    }
    if (req.method !== 'POST') return sendPage(res, 405, resetRefusedPage('bad_request'), { Allow: 'GET, POST' });

    if (foreignOrigin(req, deps.publicOrigin)) {
      return refuse(failures.form(tokenId), 403, 'bad_request');
    }
    const form = await readForm(req, MAX_BODY);
    const cookie = parseCookies(req.headers.cookie)['helpline_csrf'];
    if (!form || !csrf.verify(token, form.get('csrf') ?? undefined, cookie)) return refuse(failures.form(tokenId), 403, 'bad_request');
    const password = form.get('password') ?? '';
    const again = csrf.issue(token);
    if (password !== (form.get('confirm') ?? '')) {
      return sendPage(res, 400, resetFormPage({ action, csrf: again, email: masked, error: 'The two passwords do not match.' }));
    }
    try {
      const { customerId } = await deps.passwords.resetWithToken(token, password);
      deps.log.info({ customerId, tokenId }, 'password reset completed');
      return sendPage(res, 200, resetDonePage(), { 'Set-Cookie': 'helpline_csrf=; Path=/reset/; Max-Age=0; HttpOnly; SameSite=Strict' });
    } catch (err) {
      if (isAppError(err, 'bad_input')) return sendPage(res, 400, resetFormPage({ action, csrf: again, email: masked, error: err.message }));
      if (isAppError(err, 'expired')) return sendPage(res, 410, resetRefusedPage('expired'));
      if (isAppError(err, 'conflict') || isAppError(err, 'already_decided')) return sendPage(res, 410, resetRefusedPage('used'));
      if (isAppError(err, 'not_found')) return sendPage(res, 404, resetRefusedPage('unknown'));
      throw err;
    }
  };
}
