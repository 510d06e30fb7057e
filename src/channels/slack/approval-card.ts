import { z } from 'zod';
import { approvalActionSchema, type Approval } from '../../store/schema.js';
import { escapeSlack, excerpt, safeLink, slackDate } from './format.js';

export interface ApprovalDetails {
  customerName: string;
  verifiedHow: string;
  card?: { brand?: string | undefined; last4: string } | undefined;
  permalink?: string | undefined;
  threadLabel?: string | undefined;
}

export type Block = Record<string, unknown>;

export const ACTION_APPROVE = 'approval_approve';
export const ACTION_DENY = 'approval_deny';

const LABELS: Readonly<Record<Approval['action'], string>> = {
  card_deactivation: 'Deactivate a card',
  card_unfreeze: 'Unfreeze a card (the customer froze it)',
  password_change: 'Change password (reset link to the email on file)',
};

export function actionLabel(action: Approval['action']): string {
  return LABELS[action];
}

/** The staff card for one pending approval: who, verified how, what, the customer's words, thread, expiry, buttons. */
export function approvalCardBlocks(approval: Approval, d: ApprovalDetails): { text: string; blocks: Block[] } {
  const fields: Block[] = [
    { type: 'mrkdwn', text: `*Customer*\n${escapeSlack(d.customerName)} (\`${escapeSlack(approval.customerId)}\`)` },
    { type: 'mrkdwn', text: `*Verified by*\n${escapeSlack(d.verifiedHow)}` },
    { type: 'mrkdwn', text: `*Action*\n${escapeSlack(actionLabel(approval.action))}` },
    { type: 'mrkdwn', text: `*Expires*\n${slackDate(approval.expiresAt)}` },
  ];
  if (approval.action !== 'password_change') {
    const card = d.card ? `${escapeSlack(d.card.brand ?? 'card')} •••• ${escapeSlack(d.card.last4)}` : escapeSlack(approval.cardId ?? 'unknown card');
    fields.push({ type: 'mrkdwn', text: `*Card*\n${card}` });
  }
  const thread = safeLink(d.permalink, 'Open the conversation') ?? escapeSlack(d.threadLabel ?? 'No conversation link');
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: `Approval needed: ${actionLabel(approval.action)}`.slice(0, 150) } },
    { type: 'section', fields },
    { type: 'section', text: { type: 'mrkdwn', text: `*The customer's words*\n>${excerpt(approval.reason || '(none given)', 1500)}` } },
    { type: 'section', text: { type: 'mrkdwn', text: `*Conversation:* ${thread}` } },
    {
      type: 'actions',
      block_id: `approval:${approval.id}`,
      elements: [
        {
          type: 'button', action_id: ACTION_APPROVE, value: approval.id, style: 'primary',
          text: { type: 'plain_text', text: 'Approve' },
          confirm: {
            title: { type: 'plain_text', text: 'Approve this request?' },
            text: { type: 'mrkdwn', text: `${escapeSlack(actionLabel(approval.action))} for ${escapeSlack(d.customerName)}.` },
            confirm: { type: 'plain_text', text: 'Approve' },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        },
        { type: 'button', action_id: ACTION_DENY, value: approval.id, style: 'danger', text: { type: 'plain_text', text: 'Deny' } },
      ],
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Approval \`${escapeSlack(approval.id)}\` · requested ${slackDate(approval.requestedAt)}` }] },
  ];
  const text = `Approval needed: ${actionLabel(approval.action)} for ${escapeSlack(d.customerName)} (expires ${escapeSlack(approval.expiresAt)})`;
  return { text, blocks };
}

/** The same card without its buttons, ending with what happened. */
export function decidedCardBlocks(previous: Block[] | undefined, outcomeLine: string): Block[] {
  const kept = (previous ?? []).filter((b) => b['type'] !== 'actions');
  return [...kept, { type: 'section', text: { type: 'mrkdwn', text: outcomeLine } }];
}

/** The fields of an approval the card shows, as a decide_approval result carries them (checked, not trusted). */
const storedShape = z.looseObject({
  id: z.string().min(1), customerId: z.string().min(1), action: approvalActionSchema, reason: z.string(),
  requestedAt: z.string(), expiresAt: z.string(), status: z.enum(['pending', 'approved', 'denied', 'expired']),
  cardId: z.string().optional(), threadKey: z.string().optional(),
});

/** The stored approval in a tool result, or undefined when it is missing or not shaped like one. */
export function storedApproval(value: unknown): Approval | undefined {
  const r = storedShape.safeParse(value);
  return r.success ? (r.data as unknown as Approval) : undefined;
}

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;

/** The card's last line for a decided (or expired) approval, from the stored record. */
export function decisionLine(
  a: Pick<Approval, 'status'> & { decidedBy?: { kind: string; id: string } | undefined; decidedAt?: string | undefined; outcome?: string | undefined },
  opts: { now: Date; expiredCheck?: boolean },
): string {
  if (a.status === 'expired' || (a.status === 'pending' && opts.expiredCheck)) {
    return `:hourglass: *Expired* — this request can no longer be approved (checked ${slackDate(opts.now.toISOString())}).`;
  }
  if (a.status === 'pending') return ':information_source: Still waiting for a decision.';
  const verdict = a.status === 'approved' ? ':white_check_mark: *Approved*' : ':no_entry_sign: *Denied*';
  const id = a.decidedBy?.id;
  const by = id ? ` by ${SLACK_USER.test(id) ? `<@${id}>` : escapeSlack(id)}` : '';
  const on = a.decidedAt ? ` on ${slackDate(a.decidedAt)}` : '';
  return `${verdict}${by}${on}${a.outcome ? ` — ${escapeSlack(a.outcome)}` : ''}`;
}
