import type { FastifyInstance } from 'fastify';
import type { WebAuth } from './auth.js';
import { WebError } from './errors.js';
import { meReply, mintTokenBody, type mintTokenReply } from './schemas.js';
import type { WebTokens } from './tokens.js';
import { parse } from './validate.js';
import type { z } from 'zod';

/** POST /tokens (a backend mints a customer token), GET /me (who the API takes the caller for). */
export function identityRoutes(app: FastifyInstance, deps: { auth: WebAuth; tokens: WebTokens }): void {
  app.post('/tokens', async (request, reply) => {
    const key = deps.auth.requireKey(await deps.auth.principal(request.headers), 'tokens:mint');
    const { customerId } = parse(mintTokenBody, request.body, 'body');
    if (!deps.tokens.enabled) throw new WebError('unavailable', 'Customer tokens are off on this server: set WEB_TOKEN_SECRET.');
    if (!(await deps.auth.known(customerId))) throw new WebError('not_found', 'No such customer.');
    const minted = await deps.tokens.mint(customerId, key.id);
    const body: z.infer<typeof mintTokenReply> = { token: minted.token, tokenType: 'Bearer', customerId, expiresAt: minted.expiresAt };
    return reply.code(201).header('Cache-Control', 'no-store').send(body);
  });

  app.get('/me', async (request) => {
    const p = await deps.auth.principal(request.headers);
    const caller = p.kind === 'anonymous' ? { kind: p.kind }
      : p.kind === 'backend' ? { kind: p.kind, keyId: p.key.id, scopes: p.key.scopes }
      : { kind: p.kind, customerId: p.customerId, via: p.via };
    return meReply.parse({ caller });
  });
}
