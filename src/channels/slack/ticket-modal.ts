import type { App, ViewStateValue } from '@slack/bolt';
import { escapeSlack } from './format.js';
import type { SlackHandlerDeps } from './handler-deps.js';
import { isAppError, type AppError } from '../../errors.js';
import { describeIssues } from './tool-errors.js';
import { toolErrorText, withTools } from './tool-call.js';
import { withTimeout } from '../../time-limit.js';

export const TICKET_MODAL = 'ticket_create';
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
const isPriority = (p: string): p is (typeof PRIORITIES)[number] => (PRIORITIES as readonly string[]).includes(p);
const EMAIL = /^[^\s@<>|]+@[^\s@<>|]+\.[^\s@<>|]+$/;
/** What the form declares (max_length) and what the submission is checked against: within create_ticket's own limits. */
const LIMITS = { subject: 200, description: 3000, customer: 254, contact: 254 } as const;

interface ModalMeta { channel: string }
type ViewAck = { response_action: 'errors'; errors: Record<string, string> };

const input = (blockId: string, label: string, element: Record<string, unknown>, optional = false) =>
  ({ type: 'input', block_id: blockId, optional, label: { type: 'plain_text', text: label }, element: { action_id: 'value', ...element } });

/** The "new ticket" modal. Staff also name the customer; an unlinked person gives a contact email unless Slack verified one. */
export function ticketCreateModal(opts: { role: 'staff' | 'customer' | 'anonymous'; channel: string; knownContact?: string | undefined }) {
  const option = (p: string) => ({ text: { type: 'plain_text', text: p }, value: p });
  const blocks: Array<Record<string, unknown>> = [
    input('subject', 'Subject', { type: 'plain_text_input', max_length: LIMITS.subject }),
    input('description', 'What happened?', { type: 'plain_text_input', multiline: true, max_length: LIMITS.description }),
    input('priority', 'Priority', { type: 'static_select', options: PRIORITIES.map(option), initial_option: option('normal') }),
  ];
  if (opts.role === 'staff') blocks.push(input('customer', 'Customer (email, name or id)', { type: 'plain_text_input', max_length: LIMITS.customer }, true));
  if (opts.role === 'anonymous' && !opts.knownContact) blocks.push(input('contact', 'Your email address (so we can reply)', { type: 'email_text_input' }));
  return {
    type: 'modal' as const,
    callback_id: TICKET_MODAL,
    private_metadata: JSON.stringify({ channel: opts.channel } satisfies ModalMeta),
    title: { type: 'plain_text' as const, text: 'New ticket' },
    submit: { type: 'plain_text' as const, text: 'Open ticket' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks,
  };
}

/** A field's value; anything that is not text (absent, null, another type) reads as empty. */
function field(values: Record<string, Record<string, ViewStateValue>>, block: string): string {
  const v = values[block]?.['value'] as { value?: unknown; selected_option?: { value?: unknown } | null } | undefined;
  const raw = typeof v?.value === 'string' ? v.value : typeof v?.selected_option?.value === 'string' ? v.selected_option.value : '';
  return raw.trim();
}

/** Tool input names → the modal block that holds them. */
const FIELD_BLOCK: Record<string, string> = { subject: 'subject', description: 'description', priority: 'priority', contact: 'contact', customerId: 'customer' };

/** When a submission still being checked closes its modal: Slack wants the answer within 3 s. */
const ACK_DEADLINE_MS = 2_500;

type ViewAckFn = (response?: ViewAck) => Promise<void>;

export function registerTicketModal(app: App, deps: SlackHandlerDeps & { track: (p: Promise<unknown>) => void }): void {
  const dm = (user: string, text: string) =>
    deps.lanes.run(user, () => deps.client.chat.postMessage({ channel: user, text, unfurl_links: false })).catch((err: Error) =>
      deps.log.warn({ err: err.message }, 'could not confirm the new ticket by DM'));

  /**
   * Check and open the ticket. Refused fields are shown inside the modal while it is open (`late()` false): our own
   * checks first (the same limits the form declares), then whatever create_ticket refuses, field by field. After
   * the deadline, or for a refusal no field explains, the modal is closed and the person told by DM in plain words.
   */
  async function submit(user: string, values: Record<string, Record<string, ViewStateValue>>, ack: ViewAckFn, late: () => boolean): Promise<void> {
    const refuse = async (errors: Record<string, string>) => {
      const inForm = Object.fromEntries(Object.entries(errors).filter(([block]) => values[block] !== undefined));
      if (!late() && Object.keys(inForm).length > 0) {
        await ack({ response_action: 'errors', errors: inForm });
        return;
      }
      await ack();
      await dm(user, `Your ticket was not opened: ${escapeSlack(Object.values(errors).join(' '))} Please try again with \`/ticket\`.`);
    };
    const subject = field(values, 'subject');
    const description = field(values, 'description');
    const priority = field(values, 'priority') || 'normal';
    const errors: Record<string, string> = {};
    if (!subject) errors['subject'] = 'Give the ticket a subject.';
    else if (subject.length > LIMITS.subject) errors['subject'] = `The subject can be at most ${LIMITS.subject} characters (it has ${subject.length}).`;
    if (!description) errors['description'] = 'Describe the problem.';
    else if (description.length > LIMITS.description) errors['description'] = `The description can be at most ${LIMITS.description} characters (it has ${description.length}).`;
    if (!isPriority(priority)) errors['priority'] = 'Pick a priority.';
    const query = field(values, 'customer');
    if (query.length > LIMITS.customer) errors['customer'] = `This can be at most ${LIMITS.customer} characters.`;
    const caller = await deps.identity.callerFor(user, { allowStaff: true });
    const base = { subject, description, priority: isPriority(priority) ? priority : 'normal' } as const;
    try {
      let contact = '';
      if (caller.kind === 'anonymous') {
        contact = (await deps.identity.profile(user)).email ?? field(values, 'contact');
        if (!EMAIL.test(contact) || contact.length > LIMITS.contact) errors['contact'] = 'Enter a valid email address.';
      }
      if (Object.keys(errors).length) return await refuse(errors);
      const ticket = await withTools(deps.connectTools, caller, {}, async (tools) => {
        if (tools.audience === 'anonymous') return (await tools.call('create_ticket', { ...base, contact })).ticket;
        if (tools.audience === 'customer') return (await tools.call('create_ticket', base)).ticket;
        if (!query) return (await tools.call('create_ticket', base)).ticket;
        const { customers } = await tools.call('find_customer', { query });
        const customerId = customers.length === 1 ? customers[0]?.id : undefined;
        if (!customerId) {
          await refuse({ customer: customers.length ? 'More than one customer matches; be more specific.' : 'No customer matches.' });
          return undefined;
        }
        return (await tools.call('create_ticket', { ...base, customerId })).ticket;
      });
      if (!ticket) return;
      await ack();
      await dm(user, `Ticket *${escapeSlack(ticket.id)}* opened: ${escapeSlack(ticket.subject)}. We will get back to you.`);
    } catch (err) {
      const fields = isAppError(err) ? describeIssues(err.issues) : {};
      if (Object.keys(fields).length > 0) {
        deps.log.warn({ tool: (err as AppError).details?.['tool'], fields: Object.keys(fields) }, 'ticket modal: fields refused by the tool');
        return await refuse(Object.fromEntries(Object.entries(fields).map(([name, text]) => [FIELD_BLOCK[name] ?? name, text])));
      }
      const said = toolErrorText(err);
      if (said === undefined) deps.log.error({ err: (err as Error).message }, 'ticket modal submission failed');
      const message = said ?? 'Something went wrong; the ticket was not opened.';
      await ack();
      await dm(user, `Your ticket could not be opened: ${escapeSlack(message)}`);
    }
  }

  app.view(TICKET_MODAL, async ({ ack: rawAck, body, view }) => {
    let acked = false;
    const ack: ViewAckFn = async (response) => {
      if (acked) return;
      acked = true;
      await (response ? rawAck(response) : rawAck());
    };
    if (!deps.teamOk(body.team?.id)) return ack();
    // Over HTTP the response goes out when this handler returns: if lookups are slow (a rate-limited Slack call, a
    // busy tool), return by the deadline with the modal closed and let the rest finish (and report) by DM.
    let late = false;
    const work = submit(body.user.id, view.state.values, ack, () => late).catch((err: Error) => deps.log.error({ err: err.message }, 'ticket modal submission failed'));
    try {
      await withTimeout(work, ACK_DEADLINE_MS, 'ticket modal deadline'); // `work` never rejects: only the deadline can
    } catch {
      late = true;
      await ack();
      deps.track(work);
    }
  });
}
