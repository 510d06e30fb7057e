import type { App, ViewStateValue } from '@slack/bolt';
import { escapeSlack } from './format.js';
import type { SlackHandlerDeps } from './handler-deps.js';
import { ToolError, withTools } from './tool-call.js';
import { withTimeout } from '../../time-limit.js';

export const TICKET_MODAL = 'ticket_create';
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
const EMAIL = /^[^\s@<>|]+@[^\s@<>|]+\.[^\s@<>|]+$/;

interface ModalMeta { channel: string }
type ViewAck = { response_action: 'errors'; errors: Record<string, string> };

const input = (blockId: string, label: string, element: Record<string, unknown>, optional = false) =>
  ({ type: 'input', block_id: blockId, optional, label: { type: 'plain_text', text: label }, element: { action_id: 'value', ...element } });

/** The "new ticket" modal. Staff also name the customer; an unlinked person gives a contact email unless Slack verified one. */
export function ticketCreateModal(opts: { role: 'staff' | 'customer' | 'anonymous'; channel: string; knownContact?: string | undefined }) {
  const option = (p: string) => ({ text: { type: 'plain_text', text: p }, value: p });
  const blocks: Array<Record<string, unknown>> = [
    input('subject', 'Subject', { type: 'plain_text_input', max_length: 200 }),
    input('description', 'What happened?', { type: 'plain_text_input', multiline: true, max_length: 3000 }),
    input('priority', 'Priority', { type: 'static_select', options: PRIORITIES.map(option), initial_option: option('normal') }),
  ];
  if (opts.role === 'staff') blocks.push(input('customer', 'Customer (email, name or id)', { type: 'plain_text_input', max_length: 254 }, true));
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

function field(values: Record<string, Record<string, ViewStateValue>>, block: string): string {
  const v = values[block]?.['value'];
  return (v?.value ?? v?.selected_option?.value ?? '').trim();
}

/** When a submission still being checked closes its modal: Slack wants the answer within 3 s. */
const ACK_DEADLINE_MS = 2_500;

type ViewAckFn = (response?: ViewAck) => Promise<void>;

export function registerTicketModal(app: App, deps: SlackHandlerDeps & { track: (p: Promise<unknown>) => void }): void {
  const dm = (user: string, text: string) =>
    deps.lanes.run(user, () => deps.client.chat.postMessage({ channel: user, text, unfurl_links: false })).catch((err: Error) =>
      deps.log.warn({ err: err.message }, 'could not confirm the new ticket by DM'));

  /** Check and open the ticket. Validation errors go into the modal while it is open (`late()` false), else by DM. */
  async function submit(user: string, values: Record<string, Record<string, ViewStateValue>>, ack: ViewAckFn, late: () => boolean): Promise<void> {
    const refuse = async (errors: Record<string, string>) => {
      if (late()) await dm(user, `Your ticket was not opened: ${escapeSlack(Object.values(errors).join(' '))} Please try again with \`/ticket\`.`);
      else await ack({ response_action: 'errors', errors });
    };
    const subject = field(values, 'subject');
    const description = field(values, 'description');
    const priority = field(values, 'priority') || 'normal';
    const errors: Record<string, string> = {};
    if (!subject) errors['subject'] = 'Give the ticket a subject.';
    if (!description) errors['description'] = 'Describe the problem.';
    if (!(PRIORITIES as readonly string[]).includes(priority)) errors['priority'] = 'Pick a priority.';
    const caller = await deps.identity.callerFor(user, { allowStaff: true });
    const args: Record<string, unknown> = { subject, description, priority };
    try {
      if (caller.kind === 'anonymous') {
        const contact = (await deps.identity.profile(user)).email ?? field(values, 'contact');
        if (!EMAIL.test(contact)) errors['contact'] = 'Enter a valid email address.';
        args['contact'] = contact;
      }
      if (Object.keys(errors).length) return await refuse(errors);
      const ticket = await withTools(deps.connectTools, caller, {}, async (call) => {
        const query = caller.kind === 'staff' ? field(values, 'customer') : '';
        if (query) {
          const found = await call<{ customers: Array<{ id: string }> }>('find_customer', { query });
          if (found.customers.length !== 1) {
            await refuse({ customer: found.customers.length ? 'More than one customer matches; be more specific.' : 'No customer matches.' });
            return undefined;
          }
          args['customerId'] = found.customers[0]?.id;
        }
        await ack();
        return (await call<{ ticket: { id: string; subject: string } }>('create_ticket', args)).ticket;
      });
      if (ticket) await dm(user, `Ticket *${escapeSlack(ticket.id)}* opened: ${escapeSlack(ticket.subject)}. We will get back to you.`);
    } catch (err) {
      const message = err instanceof ToolError ? err.message : 'Something went wrong; the ticket was not opened.';
      if (!(err instanceof ToolError)) deps.log.error({ err: (err as Error).message }, 'ticket modal submission failed');
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
