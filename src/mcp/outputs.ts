/**
 * Output schemas (structuredContent). Objects that come from the business layer are "loose": the
 * listed fields are guaranteed, extra fields may appear.
 */
import { z } from 'zod';
import { ticketDeliverySchema } from '../store/schema.js';
import { approvalAction, ticketCategory, ticketPriority, ticketStatus } from './schemas.js';

const actor = z.looseObject({ kind: z.string(), id: z.string() });

export const address = z.looseObject({
  line1: z.string(), line2: z.string().optional(), city: z.string(), region: z.string().optional(), postalCode: z.string(), country: z.string(),
});

export const maskedCard = z.looseObject({
  id: z.string(), brand: z.string(), last4: z.string(), status: z.string(), expMonth: z.number(), expYear: z.number(), accountId: z.string(),
});

export const balance = z.looseObject({
  accountId: z.string(), type: z.string(), currency: z.string(), balanceMinor: z.number().int(), formatted: z.string(),
});

export const transaction = z.looseObject({
  id: z.string(), accountId: z.string(), postedAt: z.string(), merchant: z.string(), amountMinor: z.number().int(), currency: z.string(), category: z.string(), status: z.string(),
});

export const ticketMessage = z.looseObject({
  id: z.string(), at: z.string(), author: actor, visibility: z.enum(['public', 'internal']), body: z.string(),
  /** A public staff reply's delivery to the customer (staff views). */
  delivery: ticketDeliverySchema.optional(),
});

export const ticket = z.looseObject({
  id: z.string(),
  customerId: z.string().nullable(),
  subject: z.string(),
  description: z.string(),
  channel: z.string(),
  priority: ticketPriority,
  category: ticketCategory,
  status: ticketStatus,
  createdAt: z.string(),
  updatedAt: z.string(),
  messages: z.array(ticketMessage),
});

export const customerSummary = z.looseObject({ id: z.string(), name: z.string(), email: z.string() });

export const customerDetails = z.looseObject({
  id: z.string(), name: z.string(), email: z.string(), phone: z.string().optional(), address,
});

export const note = z.looseObject({ id: z.string(), customerId: z.string(), author: actor, body: z.string(), createdAt: z.string() });

export const approval = z.looseObject({
  id: z.string(), customerId: z.string(), action: approvalAction, reason: z.string(),
  requestedAt: z.string(), expiresAt: z.string(), status: z.enum(['pending', 'approved', 'denied', 'expired']),
});

export const pendingApproval = z.looseObject({
  status: z.literal('pending_approval'),
  approvalId: z.string(),
  action: approvalAction,
  expiresAt: z.string(),
  message: z.string(),
  linkDelivery: z.enum(['email', 'dev_mailbox']).optional(),
});

export const cardFrozen = z.looseObject({
  status: z.literal('frozen'), cardId: z.string(), last4: z.string(), alreadyFrozen: z.boolean(), message: z.string(),
});

export const kbHit = z.looseObject({ articleId: z.string(), title: z.string(), snippet: z.string(), score: z.number() });

export const analysis = z.looseObject({
  sentiment: z.looseObject({ score: z.number(), comparative: z.number(), label: z.enum(['negative', 'neutral', 'positive']) }),
  category: z.looseObject({ name: ticketCategory, confidence: z.number() }),
  priority: ticketPriority,
});
