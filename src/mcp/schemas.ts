/**
 * Input building blocks shared by the tools. Every string is length-capped; nothing transforms,
 * so the JSON Schema a client sees is exactly what is accepted.
 */
import { z } from 'zod';
import type { ApprovalAction, Channel, TicketCategory, TicketPriority, TicketStatus } from '../store/schema.js';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Required free text: 1..max characters, not only whitespace. */
export const text = (max: number) => z.string().min(1).max(max).regex(/\S/, 'must not be blank');
/** Optional free text up to max characters. */
export const optText = (max: number) => z.string().max(max).optional();

/** An opaque record id (account, card, customer, approval). */
export const recordId = (what: string) =>
  z.string().min(1).max(100).regex(SAFE_ID, `a ${what} id (letters, digits, _ . : -)`);

export const ticketId = z.string().max(20).regex(/^T-\d{1,12}$/, 'a ticket id like T-1001').describe('Ticket id, e.g. T-1001');

export const isoDate = z
  .string()
  .max(40)
  .regex(ISO_DATE, 'an ISO 8601 date or date-time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a real date');

export const limit = (max: number) => z.number().int().min(1).max(max);

export const ticketStatus = z.enum(['open', 'in_progress', 'resolved', 'closed'] as const satisfies readonly TicketStatus[]);
export const ticketPriority = z.enum(['low', 'normal', 'high', 'urgent'] as const satisfies readonly TicketPriority[]);
export const ticketCategory = z.enum(['billing', 'card', 'account_access', 'fraud', 'address', 'technical', 'general'] as const satisfies readonly TicketCategory[]);
export const approvalAction = z.enum(['password_change', 'card_deactivation', 'card_unfreeze'] as const satisfies readonly ApprovalAction[]);
/** The last 4 digits of one of the caller's cards. */
export const last4 = z.string().max(4).regex(/^\d{4}$/, 'exactly 4 digits');
export const channel = z.enum(['slack', 'email', 'terminal', 'web', 'phone'] as const satisfies readonly Channel[]);

export const email = z.email('a valid email address').max(254);
