import type { IncomingHttpHeaders } from 'node:http';
import type { CustomerDirectory } from '../../conversations/types.js';
import type { ApiKey, ApiKeyScope } from '../../store/schema.js';
import type { ApiKeys } from './api-keys.js';
import { WebError } from './errors.js';
import type { WebTokens } from './tokens.js';

/** The header a trusted backend names its customer in (with an API key that has `chat:act-as-customer`). */
export const CUSTOMER_HEADER = 'x-helpline-customer';

/**
 * Who is calling the web API:
 * - `anonymous`: no Authorization header. Gets what anonymous callers get everywhere (knowledge base, a ticket with a contact).
 * - `backend`: a valid API key and no customer header (it may mint tokens; it cannot chat as nobody).
 * - `customer`: a valid API key with `chat:act-as-customer` and `X-Helpline-Customer`, or a valid customer token.
 * A customer id is never taken from a caller that did not authenticate.
 */
export type WebPrincipal =
  | { kind: 'anonymous' }
  | { kind: 'backend'; key: ApiKey }
  | { kind: 'customer'; customerId: string; via: 'api_key' | 'token'; keyId: string };

export interface WebAuthDeps {
  keys: ApiKeys;
  tokens: WebTokens;
  directory: Pick<CustomerDirectory, 'byId'>;
  /** Called with every authenticated principal (per-credential rate limits); throws to refuse. */
  limit?: ((p: WebPrincipal) => void) | undefined;
}

const one = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h)?.trim();

export function createWebAuth(deps: WebAuthDeps) {
  async function known(customerId: string): Promise<boolean> {
    return /^[A-Za-z0-9_-]{1,100}$/.test(customerId) && (await deps.directory.byId(customerId)) !== undefined;
  }

  async function identify(headers: IncomingHttpHeaders): Promise<WebPrincipal> {
    const authorization = one(headers.authorization);
    const customer = one(headers[CUSTOMER_HEADER]);
    if (!authorization) {
      if (customer !== undefined) throw new WebError('unauthorized', 'X-Helpline-Customer is accepted only with an API key.');
      return { kind: 'anonymous' };
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (!bearer) throw new WebError('unauthorized', 'Authorization must be `Bearer <API key or token>`.');
    if (bearer.startsWith('hlk_')) {
      const key = await deps.keys.verify(bearer);
      if (!key) throw new WebError('unauthorized', 'The API key is not valid (unknown, wrong or revoked).');
      if (customer === undefined) return { kind: 'backend', key };
      if (!key.scopes.includes('chat:act-as-customer')) throw new WebError('forbidden', 'This API key may not act for a customer (scope chat:act-as-customer).');
      if (!(await known(customer))) throw new WebError('not_found', 'No such customer.');
      return { kind: 'customer', customerId: customer, via: 'api_key', keyId: key.id };
    }
    if (customer !== undefined) throw new WebError('unauthorized', 'X-Helpline-Customer is accepted only with an API key.');
    const claims = await deps.tokens.verify(bearer);
    if (!claims || !(await known(claims.customerId))) throw new WebError('unauthorized', 'The token is not valid (expired, altered or not ours).');
    return { kind: 'customer', customerId: claims.customerId, via: 'token', keyId: claims.keyId };
  }

  return {
    /** Who is calling (see WebPrincipal), counted against the per-credential limits. */
    async principal(headers: IncomingHttpHeaders): Promise<WebPrincipal> {
      const p = await identify(headers);
      deps.limit?.(p);
      return p;
    },

    /** The API key behind a principal, which must have `scope`: 401 without a key, 403 without the scope. */
    requireKey(p: WebPrincipal, scope: ApiKeyScope): ApiKey {
      if (p.kind !== 'backend') throw new WebError(p.kind === 'anonymous' ? 'unauthorized' : 'forbidden', 'This call needs an API key (Authorization: Bearer hlk_…) and no X-Helpline-Customer.');
      if (!p.key.scopes.includes(scope)) throw new WebError('forbidden', `This API key lacks the scope ${scope}.`);
      return p.key;
    },

    /** Whether a customer exists (for minting). */
    known,
  };
}

export type WebAuth = ReturnType<typeof createWebAuth>;
