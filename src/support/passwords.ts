import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { ResetToken } from '../store/schema.js';
import type { Support } from './api.js';
import { recordAudit } from './audit.js';
import type { SupportContext } from './context.js';
import { newId } from './ids.js';
import { parseLinkToken } from './link-mint.js';
import { scrubUsedLink } from './system-email.js';
import { parseInput } from './validation.js';

const SCRYPT = { N: 16_384, r: 8, p: 1, keyLen: 32, saltLen: 16 } as const;
const MAXMEM = 64 * 1024 * 1024;

function encode(params: { N: number; r: number; p: number }, salt: Buffer, hash: Buffer): string {
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function decode(stored: string): { N: number; r: number; p: number; salt: Buffer; hash: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return undefined;
  return { N, r, p, salt: Buffer.from(parts[4] ?? '', 'base64'), hash: Buffer.from(parts[5] ?? '', 'base64') };
}

/** `scrypt$N$r$p$salt$hash` of a password, off the event loop. */
export function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SCRYPT.saltLen);
  const options: ScryptOptions = { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: MAXMEM };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, SCRYPT.keyLen, options, (err, key) => (err ? reject(err) : resolve(encode(SCRYPT, salt, key))));
  });
}

/**
 * Constant-time check of a secret against a stored scrypt hash, in the libuv pool (a flood of checks cannot hold
 * the event loop). False, never a rejection, for a malformed hash.
 */
export function verifySecret(secret: string, stored: string): Promise<boolean> {
  const d = decode(stored);
  if (!d || d.hash.length === 0) return Promise.resolve(false);
  const expected = d.hash;
  return new Promise((resolve) => {
    scrypt(secret, d.salt, expected.length, { N: d.N, r: d.r, p: d.p, maxmem: MAXMEM }, (err, key) => resolve(!err && timingSafeEqual(key, expected)));
  });
}

/**
 * The reset token an approved password change issues: no link yet. Its links are minted as the reset mail leaves
 * (link-mint.ts); the token only ever holds their hashes.
 */
export function issueResetToken(input: { customerId: string; approvalId: string; email: string; now: Date; ttlMinutes: number }): ResetToken {
  return {
    id: newId('rst'),
    customerId: input.customerId,
    approvalId: input.approvalId,
    email: input.email,
    tokenHashes: [],
    createdAt: input.now.toISOString(),
    expiresAt: new Date(input.now.getTime() + input.ttlMinutes * 60_000).toISOString(),
    attempts: 0,
  };
}

const passwordSchema = z.string().min(12, 'must be at least 12 characters').max(200, 'must be at most 200 characters');

type Check = { ok: true; record: ResetToken } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/**
 * What an unknown token id is checked against: same parameters as a real token hash, matching nothing we issued.
 * Checking it costs the same scrypt work as a real check, so an unknown id answers no faster than a known one.
 */
const DUMMY_HASH = encode(SCRYPT, Buffer.alloc(SCRYPT.saltLen, 0x5a), Buffer.alloc(SCRYPT.keyLen, 0xa5));

function refusal(reason: 'unknown' | 'used' | 'expired'): AppError {
  if (reason === 'used') return new AppError('conflict', 'This password reset link has already been used. Ask support for a new one.', { reason: 'used' });
  if (reason === 'expired') return new AppError('expired', 'This password reset link has expired. Ask support for a new one.', { reason: 'expired' });
  return new AppError('not_found', 'This password reset link is not valid.', { reason: 'unknown' });
}

export function createPasswords(ctx: SupportContext): Support['passwords'] {
  async function check(token: unknown): Promise<Check> {
    const parsed = parseLinkToken('rst', token);
    if (!parsed) return { ok: false, reason: 'unknown' };
    const record = await ctx.repos.resetTokens.get(parsed.id);
    const matches = await verifySecret(parsed.secret, record?.tokenHashes[parsed.n] ?? DUMMY_HASH);
    if (!record || !matches) return { ok: false, reason: 'unknown' };
    if (record.usedAt) return { ok: false, reason: 'used' };
    if (Date.parse(record.expiresAt) <= ctx.now().getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, record };
  }

  return {
    async inspectToken(token) {
      const c = await check(token);
      return c.ok ? { valid: true, customerId: c.record.customerId, email: c.record.email } : { valid: false, reason: c.reason };
    },

    async resetWithToken(token, newPassword) {
      const c = await check(token);
      if (!c.ok) throw refusal(c.reason);
      const password = parseInput(passwordSchema, newPassword, 'password');
      const local = (c.record.email.split('@')[0] ?? '').toLowerCase();
      const lower = password.toLowerCase();
      if (lower === c.record.email.toLowerCase() || (local.length >= 3 && lower.includes(local))) {
        throw new AppError('bad_input', 'Invalid password: it must not be or contain your email address.');
      }
      const passwordHash = await hashPassword(password);
      const tokenId = c.record.id;
      const result = await ctx.repos.transaction(async (tx) => {
        const now = ctx.now();
        const used = await tx.resetTokens.markUsed(tokenId, now.toISOString());
        if (!used.won) throw refusal(used.record ? (used.record.usedAt ? 'used' : 'expired') : 'unknown');
        const record = used.record;
        if (!(await tx.customers.setPasswordHash(record.customerId, passwordHash, now.toISOString()))) {
          throw new AppError('not_found', 'The customer for this reset link no longer exists.');
        }
        await scrubUsedLink(tx, `password-reset:${record.approvalId}`);
        await recordAudit(tx, now, { kind: 'customer', id: record.customerId }, 'password.reset', `customer:${record.customerId}`, { resetTokenId: record.id, approvalId: record.approvalId });
        return { customerId: record.customerId };
      });
      ctx.log?.info({ customerId: result.customerId, resetTokenId: tokenId }, 'password reset with token');
      return result;
    },
  };
}
