import type { Logger } from '../config/logger.js';
import type { Repositories } from '../store/repos/index.js';
import { createMoneyFormatter } from './money.js';

/** The dependencies `createSupport` takes. */
export interface SupportDeps {
  /** The data layer. Steps that must commit together run in `repos.transaction`. */
  repos: Repositories;
  /** Folder of the knowledge base articles (`*.md`), loaded once at creation. */
  kbDir: string;
  /** Staff allow-list, checked on every staff-only operation. */
  staff: { isStaff(staffId: string): boolean };
  approvalTtlMinutes: number;
  resetTokenTtlMinutes: number;
  /** Base of the password reset link: `${publicBaseUrl}/reset/<token>`. */
  publicBaseUrl: string;
  clock?: () => Date;
  log?: Logger;
  /**
   * Whether the email channel is configured: reset links can be emailed (when false, password changes are refused up
   * front unless the dev mailbox takes them), and a public reply on a ticket without a conversation goes to the customer's email. Default true.
   */
  resetDelivery?: boolean;
  /**
   * No mail server is configured and this is not production: system mail (reset and confirmation links) goes to the
   * local dev mailbox (`${publicBaseUrl}/dev/mailbox`, and the terminal chat), never out, and every text says so.
   */
  devMailbox?: boolean;
}

/** Where links mailed to a customer end up: really emailed, the local dev mailbox, or nowhere (refused). */
export type MailDelivery = 'email' | 'dev_mailbox' | 'none';

/** What every area of support gets: the deps with defaults filled in. */
export interface SupportContext {
  repos: Repositories;
  staff: { isStaff(staffId: string): boolean };
  approvalTtlMinutes: number;
  resetTokenTtlMinutes: number;
  publicBaseUrl: string;
  now: () => Date;
  log: Logger | undefined;
  /** Formats integer minor units for display, with cached formatters. */
  money: (amountMinor: number, currency: string) => string;
  mailDelivery: MailDelivery;
}

export function toContext(deps: SupportDeps): SupportContext {
  return {
    repos: deps.repos,
    staff: deps.staff,
    approvalTtlMinutes: deps.approvalTtlMinutes,
    resetTokenTtlMinutes: deps.resetTokenTtlMinutes,
    publicBaseUrl: deps.publicBaseUrl.replace(/\/+$/, ''),
    now: deps.clock ?? (() => new Date()),
    log: deps.log,
    money: createMoneyFormatter(),
    mailDelivery: deps.devMailbox ? 'dev_mailbox' : (deps.resetDelivery ?? true) ? 'email' : 'none',
  };
}
