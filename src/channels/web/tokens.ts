import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../../errors.js';

/** Short-lived customer tokens for a browser or app: HS256 JWTs, issuer and audience checked, `sub` = the customer id. */
export const TOKEN_ISSUER = 'helpline';
export const TOKEN_AUDIENCE = 'helpline-web';

export interface WebTokensDeps {
  /** The HMAC secret (WEB_TOKEN_SECRET); undefined: `generate` decides. */
  secret: string | undefined;
  /** Without a secret: true → a random secret for this process; false (production) → no tokens (`unavailable`). */
  generate: boolean;
  ttlSeconds: number;
  clock: () => Date;
}

export interface MintedToken {
  token: string;
  expiresAt: string;
}

export interface WebTokens {
  readonly enabled: boolean;
  mint(customerId: string, keyId: string): Promise<MintedToken>;
  /** The customer a token is for, or undefined when it is not one of ours, expired, or for another audience. */
  verify(token: string): Promise<{ customerId: string; keyId: string } | undefined>;
}

export function createWebTokens(deps: WebTokensDeps): WebTokens {
  const raw = deps.secret ?? (deps.generate ? randomBytes(48).toString('base64url') : undefined);
  const key = raw === undefined ? undefined : new TextEncoder().encode(raw);
  const now = () => Math.floor(deps.clock().getTime() / 1000);
  return {
    enabled: key !== undefined,
    async mint(customerId, keyId) {
      if (!key) throw new AppError('unavailable', 'Customer tokens are off: set WEB_TOKEN_SECRET.');
      const iat = now();
      const exp = iat + deps.ttlSeconds;
      const token = await new SignJWT({ kid: keyId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).setSubject(customerId)
        .setIssuedAt(iat).setExpirationTime(exp).setJti(randomBytes(12).toString('base64url'))
        .sign(key);
      return { token, expiresAt: new Date(exp * 1000).toISOString() };
    },
    async verify(token) {
      if (!key) return undefined;
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'], issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, requiredClaims: ['sub', 'exp', 'iat'],
          currentDate: deps.clock(), maxTokenAge: deps.ttlSeconds + 5, clockTolerance: 5,
        });
        if (typeof payload.sub !== 'string' || !payload.sub) return undefined;
        return { customerId: payload.sub, keyId: typeof payload['kid'] === 'string' ? payload['kid'] : '' };
      } catch (err) {
        if (err instanceof errors.JOSEError) return undefined;
        throw err;
      }
    },
  };
}
