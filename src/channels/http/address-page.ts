import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../config/index.js';
import { isAppError } from '../../errors.js';
import { addressDonePage, addressFormPage, addressRefusedPage, type AddressRefusal, type AddressShown } from './address-html.js';
import { createClientAddress } from './client-address.js';
import { createResetFailures, DEFAULT_RESET_LIMITS, type ResetLimits } from './reset-failures.js';
import { createCsrf, foreignOrigin, parseCookies } from './security.js';
import { readForm, sendPage } from './form-page.js';

type LinkRefusal = 'unknown' | 'used' | 'expired' | 'superseded';

/** The slice of support the page needs (wired from support.accounts). */
export interface AddressConfirmPort {
  inspectAddressChange(token: string): Promise<{ valid: true; changeId: string; address: AddressShown } | { valid: false; reason: LinkRefusal }>;
  confirmAddressChange(token: string): Promise<{ changeId: string; customerId: string; address: AddressShown }>;
}

export interface AddressPageDeps {
  addressChanges: AddressConfirmPort;
  log: Logger;
  publicOrigin?: string | undefined;
  /** Failures allowed per link and per client address (the reset page's defaults). */
  limits?: ResetLimits | undefined;
  /** Proxies whose X-Forwarded-For is believed (see client-address.ts). Default none. */
  trustedProxies?: readonly string[] | undefined;
}

const TOKEN_RE = /^[A-Za-z0-9_-]{1,64}\.(?:\d{1,2}\.)?[A-Za-z0-9_-]{16,128}$/;
const MAX_BODY = 4 * 1024;
const COOKIE = 'helpline_address_csrf';
const STATUS: Record<LinkRefusal, number> = { unknown: 404, used: 410, expired: 410, superseded: 410 };


/** Why support refused a confirmation, from its AppError; undefined for anything else (a real failure). */
function refusalOf(err: unknown): LinkRefusal | undefined {
  if (!isAppError(err)) return undefined;
  const reason = err.details?.['reason'];
  if (reason === 'unknown' || reason === 'used' || reason === 'expired' || reason === 'superseded') return reason;
  if (err.code === 'not_found') return 'unknown';
  return err.code === 'expired' ? 'expired' : undefined;
}

/**
 * GET /confirm-address/<token> shows the requested address with a Confirm button; POST applies it through support
 * (once; the notice to the email on file and the audit live there). Built like the reset page: tokens are never
 * logged nor put in a Referer, the form is CSRF-protected, and only failures are counted and throttled.
 */
export function createAddressPage(deps: AddressPageDeps) {
  const failures = createResetFailures(deps.limits ?? DEFAULT_RESET_LIMITS);
  const clientAddress = createClientAddress({ trustedProxies: deps.trustedProxies });
  const csrf = createCsrf(randomBytes(32));

  return async function handle(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    const client = clientAddress(req);
    const tokenId = TOKEN_RE.test(token) ? token.slice(0, token.indexOf('.')) : undefined;
    const refuse = (retryMs: number, status: number, reason: AddressRefusal) => {
      if (retryMs === 0) return sendPage(res, status, addressRefusedPage(reason));
      deps.log.warn({ tokenId, client }, 'address confirmation page rate limited');
      return sendPage(res, 429, addressRefusedPage('rate_limited'), { 'Retry-After': String(Math.ceil(retryMs / 1000)) });
    };
    if (tokenId === undefined) return refuse(failures.verification(client, undefined), 404, 'unknown');
    const state = await deps.addressChanges.inspectAddressChange(token);
    if (!state.valid) return refuse(failures.verification(client, tokenId), STATUS[state.reason], state.reason);
    const action = `/confirm-address/${token}`;

    if (req.method === 'GET') {
      const value = csrf.issue(token);
      return sendPage(res, 200, addressFormPage({ action, csrf: value, address: state.address }), {
        'Set-Cookie': `${COOKIE}=${value}; Path=/confirm-address/; HttpOnly; SameSite=Strict`,
      });
    }
    if (req.method !== 'POST') return sendPage(res, 405, addressRefusedPage('bad_request'), { Allow: 'GET, POST' });

    if (foreignOrigin(req, deps.publicOrigin)) {
      return refuse(failures.form(tokenId), 403, 'bad_request');
    }
    const form = await readForm(req, MAX_BODY);
    const cookie = parseCookies(req.headers.cookie)[COOKIE];
    if (!form || !csrf.verify(token, form.get('csrf') ?? undefined, cookie)) return refuse(failures.form(tokenId), 403, 'bad_request');
    try {
      const done = await deps.addressChanges.confirmAddressChange(token);
      deps.log.info({ customerId: done.customerId, changeId: done.changeId }, 'address change confirmed by link');
      return sendPage(res, 200, addressDonePage(done.address), { 'Set-Cookie': `${COOKIE}=; Path=/confirm-address/; Max-Age=0; HttpOnly; SameSite=Strict` });
    } catch (err) {
      const reason = refusalOf(err);
      if (reason) return sendPage(res, STATUS[reason], addressRefusedPage(reason));
      throw err;
    }
  };
}
