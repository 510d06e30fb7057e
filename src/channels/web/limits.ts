import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { addressKey, createClientAddress } from '../http/client-address.js';
import { createRateLimiter } from '../http/rate-limit.js';
import type { WebPrincipal } from './auth.js';
import { WebError } from './errors.js';

export interface WebLimitsConfig {
  corsOrigins: readonly string[];
  trustedProxies: readonly string[];
  rate: { perIpMinute: number; perCustomerMinute: number; perKeyMinute: number };
}

const API_KEY_BEARER = /^Bearer\s+hlk_/i;

/**
 * CORS (an allow-list of exact origins; API keys and X-Helpline-Customer are for backends, so browsers may send only
 * Authorization with a token and Content-Type) and the per-address limit (@fastify/rate-limit, before any
 * authentication work; requests with an API key are limited per key instead, see `callerLimit`).
 */
export async function registerLimits(app: FastifyInstance, config: WebLimitsConfig): Promise<void> {
  const clientAddress = createClientAddress({ trustedProxies: config.trustedProxies });
  const allowed = new Set(config.corsOrigins);
  await app.register(cors, {
    origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
    strictPreflight: true,
  });
  await app.register(rateLimit, {
    global: true,
    max: config.rate.perIpMinute,
    timeWindow: 60_000,
    cache: 10_000,
    keyGenerator: (request) => addressKey(clientAddress(request.raw)),
    allowList: (request) => API_KEY_BEARER.test(request.headers.authorization ?? ''),
    errorResponseBuilder: (_request, ctx) => ({ statusCode: 429, code: 'rate_limited', message: `Too many requests from this address: retry in ${Math.ceil(ctx.ttl / 1000)} s.` }),
  });
}

/** Per-credential limits after authentication: per API key, and per customer (whatever token or key they come with). */
export function callerLimit(rate: WebLimitsConfig['rate']) {
  const perKey = createRateLimiter({ limit: rate.perKeyMinute, windowMs: 60_000 });
  const perCustomer = createRateLimiter({ limit: rate.perCustomerMinute, windowMs: 60_000 });
  return (p: WebPrincipal): void => {
    const keyId = p.kind === 'backend' ? p.key.id : p.kind === 'customer' && p.via === 'api_key' ? p.keyId : undefined;
    const refuse = (what: string, ms: number) => {
      const s = Math.max(1, Math.ceil(ms / 1000));
      return new WebError('rate_limited', `Too many requests ${what}: retry in ${s} s.`, s);
    };
    if (keyId !== undefined && !perKey.hit(keyId)) throw refuse('with this API key', perKey.retryAfterMs(keyId));
    if (p.kind === 'customer' && !perCustomer.hit(p.customerId)) throw refuse('for this customer', perCustomer.retryAfterMs(p.customerId));
  };
}
