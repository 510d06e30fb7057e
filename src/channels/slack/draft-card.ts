import { z } from 'zod';
import type { Block } from './approval-card.js';
import { escapeSlack, excerpt, slackDate } from './format.js';

export const ACTION_DRAFT_SEND = 'draft_send';
export const ACTION_DRAFT_EDIT = 'draft_edit';
export const ACTION_DRAFT_DISCARD = 'draft_discard';
export const DRAFT_EDIT_MODAL = 'draft_edit_send';

/** A draft as the cards show it: a stored record, or a tool result checked against this shape (never trusted as is). */
export const draftShape = z.looseObject({
  id: z.string().min(1),
  kind: z.enum(['ticket_response', 'ticket_status', 'customer_note', 'ticket_create']),
  summary: z.string(),
  status: z.string(),
  input: z.record(z.string(), z.unknown()),
  editable: z.array(z.string()).optional(),
  expiresAt: z.string(),
  outcome: z.string().optional(),
  decidedBy: z.string().optional(),
  staffMessage: z.object({ channel: z.string(), ts: z.string() }).optional(),
  route: z.union([z.object({ to: z.string() }), z.object({ none: z.string() })]).optional(),
});
export type DraftCard = z.output<typeof draftShape>;

export function asDraftCard(value: unknown): DraftCard | undefined {
  const r = draftShape.safeParse(value);
  return r.success ? r.data : undefined;
}

const TITLES: Record<DraftCard['kind'], string> = {
  ticket_response: 'Reply on a ticket',
  ticket_status: 'Ticket status change',
  customer_note: 'CRM note',
  ticket_create: 'New ticket',
};

/** The text fields a person reads before sending, labelled. */
const TEXT_FIELDS: Array<[string, string]> = [['subject', 'Subject'], ['message', 'Message'], ['description', 'Description'], ['body', 'Note'], ['note', 'Internal note']];

export const fieldLabel = (name: string) => TEXT_FIELDS.find(([f]) => f === name)?.[1] ?? name;

/** True when Send makes text visible to a customer (the card asks for a confirmation first). */
export const customerVisible = (d: DraftCard) => d.kind === 'ticket_response' && d.input['visibility'] === 'public';

/** Who a ticket reply reaches, said before anyone clicks Send (undefined for other kinds of draft). */
export function audienceLine(d: DraftCard): string | undefined {
  if (d.kind !== 'ticket_response') return undefined;
  if (!customerVisible(d)) return ':lock: *Internal note — staff only.* It is never sent to the customer.';
  if (d.route && 'none' in d.route) {
    return `:warning: *Public reply — but the customer has no channel to receive it* (${escapeSlack(d.route.none)}). It will only be saved on the ticket.`;
  }
  return `:outbox_tray: *Public reply — will be sent to the customer${d.route ? ` via ${escapeSlack(d.route.to)}` : ''}.*`;
}

/** Slack's limit for a text input: a longer field cannot be edited in a modal (Send still sends it as drafted). */
export const SLACK_INPUT_MAX = 3000;

/** Whether Edit is offered: there is something to edit, and every editable field fits a Slack text input. */
export const editableInSlack = (d: DraftCard) =>
  (d.editable ?? []).length > 0 && (d.editable ?? []).every((f) => typeof d.input[f] !== 'string' || (d.input[f] as string).length <= SLACK_INPUT_MAX);

/**
 * The card for one pending draft: what it does, the full text a person is about to send, and Send / Edit / Discard.
 * Nothing happens until a person clicks; the draft's own words never carry formatting or mentions (escaped).
 */
export function draftCardBlocks(d: DraftCard): { text: string; blocks: Block[] } {
  const title = TITLES[d.kind];
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: `Draft: ${title}`.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: escapeSlack(excerpt(d.summary, 2500)) } },
  ];
  const audience = audienceLine(d);
  if (audience) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: audience } });
  for (const [field, label] of TEXT_FIELDS) {
    const value = d.input[field];
    if (typeof value === 'string' && value.trim()) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${label}*\n>${excerpt(value, 2800).replace(/\n/g, '\n>')}` } });
    }
  }
  const visible = customerVisible(d);
  const send: Block = { type: 'button', action_id: ACTION_DRAFT_SEND, value: d.id, style: 'primary', text: { type: 'plain_text', text: 'Send' } };
  if (visible) {
    send['confirm'] = {
      title: { type: 'plain_text', text: 'Send to the customer?' },
      text: { type: 'mrkdwn', text: d.route && 'to' in d.route ? `The customer will receive this reply via ${escapeSlack(d.route.to)}.` : 'The customer will see this reply on their ticket.' },
      confirm: { type: 'plain_text', text: 'Send' },
      deny: { type: 'plain_text', text: 'Cancel' },
    };
  }
  const elements: Block[] = [send];
  if (editableInSlack(d)) elements.push({ type: 'button', action_id: ACTION_DRAFT_EDIT, value: d.id, text: { type: 'plain_text', text: 'Edit' } });
  elements.push({ type: 'button', action_id: ACTION_DRAFT_DISCARD, value: d.id, style: 'danger', text: { type: 'plain_text', text: 'Discard' } });
  blocks.push({ type: 'actions', block_id: `draft:${d.id}`, elements });
  const who = visible ? 'The customer sees it only after you click Send.' : 'Nothing changes until you click Send.';
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${who} Draft \`${escapeSlack(d.id)}\` · expires ${slackDate(d.expiresAt)}` }] });
  return { text: `Draft for your confirmation: ${escapeSlack(excerpt(d.summary, 200))}`, blocks };
}

/** The card after a decision: the same content without buttons, ending with what happened. */
export function decidedDraftBlocks(d: DraftCard, line: string): Block[] {
  const kept = draftCardBlocks(d).blocks.filter((b) => b['type'] !== 'actions' && b['type'] !== 'context');
  return [...kept, { type: 'section', text: { type: 'mrkdwn', text: line } }];
}

/** What happened to a draft, for its card: who sent or discarded it and the outcome (escaped). */
export function draftLine(d: DraftCard, by: string | undefined): string {
  const person = by ?? d.decidedBy;
  const who = person ? ` by <@${escapeSlack(person)}>` : '';
  switch (d.status) {
    case 'sent': return `:white_check_mark: Sent${who}. ${escapeSlack(excerpt(d.outcome ?? '', 300))}`.trim();
    case 'discarded': return `:wastebasket: Discarded${who}. Nothing was done.`;
    case 'expired': return ':hourglass: This draft expired; nothing was done. Ask the assistant for a new one.';
    case 'failed': return `:x: Sending failed${who}: ${escapeSlack(excerpt(d.outcome ?? 'the step failed', 300))}`;
    default: return `Draft ${escapeSlack(d.status)}${who}.`;
  }
}

/** The Edit form: each editable text field prefilled; submitting sends the draft with the edits. */
export function draftEditModal(d: DraftCard, meta: { channel: string; ts: string }) {
  const blocks = (d.editable ?? []).map((field) => ({
    type: 'input', block_id: field, optional: field === 'note',
    label: { type: 'plain_text', text: fieldLabel(field) },
    element: {
      type: 'plain_text_input', action_id: 'value', multiline: field !== 'subject', max_length: field === 'subject' ? 200 : SLACK_INPUT_MAX,
      ...(typeof d.input[field] === 'string' && d.input[field] ? { initial_value: d.input[field] as string } : {}),
    },
  }));
  return {
    type: 'modal' as const,
    callback_id: DRAFT_EDIT_MODAL,
    private_metadata: JSON.stringify({ draftId: d.id, channel: meta.channel, ts: meta.ts }),
    title: { type: 'plain_text' as const, text: 'Edit and send' },
    submit: { type: 'plain_text' as const, text: 'Send' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      ...(customerVisible(d) ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: 'The customer will see this reply.' }] }] : []),
      ...blocks,
    ],
  };
}
