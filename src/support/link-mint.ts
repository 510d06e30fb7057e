/**
 * One-time links are minted when their mail leaves, never stored in clear. Support queues a system mail whose body
 * holds `LINK_PLACEHOLDER` where the link goes; the sender (the SMTP outbox worker, or the dev mailbox as it shows
 * the mail) calls `render` right before the mail leaves: a fresh secret is drawn, its scrypt hash appended to the
 * reset token or address change (`addSecret`), and the link exists only in memory on its way out.
 *
 * Every send attempt (a retry after a timeout, a takeover after a crash) and every dev mailbox view mints a new link.
 * All links minted for one token work until the token is used or expires, whichever comes first: a mail that did go
 * out even though its attempt looked failed (a timeout after the server took it, a receiver that keeps the first of
 * two copies with one Message-ID) must still work. Using any of them uses the token, so the others stop working.
 * At most `MAX_LINK_SECRETS` links are minted per token; then the mail says to ask again.
 */
import { randomBytes } from 'node:crypto';
import { MAX_LINK_SECRETS } from '../store/schema.js';
import type { SupportContext } from './context.js';
import { hashPassword } from './passwords.js';

/** Stands where the one-time link goes in a queued system mail; replaced by a freshly minted link as the mail leaves. */
export const LINK_PLACEHOLDER = '[one-time link]';

/** Written instead of a link that can no longer be minted (used, expired, superseded, or minted too often). */
export const NO_LINK = '(no link: this request was already used, has expired or was replaced; please ask support again)';

/** A link's token: `<id>.<n>.<secret>`, `n` the position of its hash (links from before minting have no `n`: 0). */
export interface LinkToken { id: string; n: number; secret: string }

export function parseLinkToken(prefix: 'rst' | 'adr', token: unknown): LinkToken | undefined {
  if (typeof token !== 'string' || token.length > 200) return undefined;
  const m = new RegExp(`^(${prefix}_[a-f0-9]{6,64})\\.(?:(\\d{1,2})\\.)?([A-Za-z0-9_-]{20,100})$`).exec(token);
  if (!m) return undefined;
  const n = Number(m[2] ?? '0');
  return n < MAX_LINK_SECRETS ? { id: m[1] as string, n, secret: m[3] as string } : undefined;
}

/** What a mail's `sourceId` (the system mail key) says a link is for. */
function subjectOf(sourceId: string | undefined): { kind: 'password-reset' | 'address-confirm'; id: string } | undefined {
  const m = /^(password-reset|address-confirm):([A-Za-z0-9_-]{1,100})$/.exec(sourceId ?? '');
  return m ? { kind: m[1] as 'password-reset' | 'address-confirm', id: m[2] as string } : undefined;
}

export interface SystemMailRenderer {
  /**
   * The text of a system mail as it leaves: each `LINK_PLACEHOLDER` replaced by one freshly minted link (or by
   * `NO_LINK`). Mail without the placeholder comes back unchanged. Only the mail's key (`sourceId`, set by support
   * when it queued the mail) says what the link is for; nothing in the text can ask for another customer's link.
   */
  render(mail: { sourceId?: string | undefined; text: string }): Promise<string>;
}

export function createSystemMail(ctx: SupportContext): SystemMailRenderer {
  /** A fresh link for the subject, or undefined when none may be minted any more. */
  async function mint(subject: { kind: 'password-reset' | 'address-confirm'; id: string }): Promise<{ link: string; recordId: string; n: number } | undefined> {
    const now = ctx.now();
    const live = (expiresAt: string, hashes: readonly string[]) => Date.parse(expiresAt) > now.getTime() && hashes.length < MAX_LINK_SECRETS;
    const secret = randomBytes(32).toString('base64url');
    if (subject.kind === 'password-reset') {
      const token = await ctx.repos.resetTokens.findByApproval(subject.id);
      if (!token || token.usedAt || !live(token.expiresAt, token.tokenHashes)) return undefined;
      const n = await ctx.repos.resetTokens.addSecret(token.id, await hashPassword(secret), { unexpiredAt: ctx.now().toISOString() });
      return n === undefined ? undefined : { link: `${ctx.publicBaseUrl}/reset/${token.id}.${n}.${secret}`, recordId: token.id, n };
    }
    const change = await ctx.repos.addressChanges.get(subject.id);
    if (change?.status !== 'pending' || !live(change.expiresAt, change.tokenHashes)) return undefined;
    const n = await ctx.repos.addressChanges.addSecret(change.id, await hashPassword(secret), { unexpiredAt: ctx.now().toISOString() });
    return n === undefined ? undefined : { link: `${ctx.publicBaseUrl}/confirm-address/${change.id}.${n}.${secret}`, recordId: change.id, n };
  }

  return {
    async render(mail) {
      if (!mail.text.includes(LINK_PLACEHOLDER)) return mail.text;
      const subject = subjectOf(mail.sourceId);
      const minted = subject ? await mint(subject) : undefined;
      ctx.log?.info({ kind: subject?.kind, id: minted?.recordId ?? subject?.id, n: minted?.n, minted: minted !== undefined }, 'one-time link minted for a leaving mail');
      return mail.text.replaceAll(LINK_PLACEHOLDER, minted?.link ?? NO_LINK);
    },
  };
}
