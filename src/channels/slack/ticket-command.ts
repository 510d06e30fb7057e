import type { App, RespondFn } from '@slack/bolt';
import { asBlocks, asView } from './slack-client.js';
import { deliverForStaff } from '../../conversations/ticket-replies.js';
import type { ConversationsPort } from '../../conversations/types.js';
import type { ToolsFor } from '../../mcp/index.js';
import type { TicketStatus } from '../../store/schema.js';
import type { Caller } from '../../support/caller.js';
import { escapeSlack } from './format.js';
import type { SlackHandlerDeps } from './handler-deps.js';
import { ticketCreateModal } from './ticket-modal.js';
import { sectionBlocks, ticketDetail, ticketLine } from './ticket-render.js';
import { toolErrorText, withTools } from './tool-call.js';

const USAGE = [
  '*`/ticket`* — open a new ticket',
  '*`/ticket T-1001`* — show a ticket and its history',
  '*`/ticket list [open|in_progress|resolved|closed]`* — list tickets',
  'Staff only: *`/ticket close|resolve|reopen T-1001 [note]`*, *`/ticket reply T-1001 text`* (sent to the customer), *`/ticket note T-1001 text`* (internal, staff only)',
].join('\n');

const STATUSES: readonly TicketStatus[] = ['open', 'in_progress', 'resolved', 'closed'];
const VERB_STATUS: Readonly<Record<string, TicketStatus>> = { close: 'closed', resolve: 'resolved', reopen: 'open' };
const isStatus = (s: string | undefined): s is TicketStatus => (STATUSES as readonly string[]).includes(s ?? '');
const TICKET_ID = /^T-\d{1,9}$/i;

export type TicketCommand =
  | { kind: 'create' }
  | { kind: 'help' }
  | { kind: 'show'; ticketId: string }
  | { kind: 'list'; status?: TicketStatus | undefined }
  | { kind: 'status'; ticketId: string; status: TicketStatus; note?: string | undefined }
  | { kind: 'note'; ticketId: string; text: string }
  | { kind: 'reply'; ticketId: string; text: string }
  | { kind: 'invalid'; reason: string };

/** `/ticket` argument text → what to do. */
export function parseTicketCommand(raw: string): TicketCommand {
  const text = raw.trim();
  if (!text) return { kind: 'create' };
  const [first = '', ...rest] = text.split(/\s+/);
  const word = first.toLowerCase();
  if (word === 'help') return { kind: 'help' };
  if (word === 'new' || word === 'create') return { kind: 'create' };
  if (TICKET_ID.test(first)) return { kind: 'show', ticketId: first.toUpperCase() };
  if (word === 'list') {
    const status = rest[0]?.toLowerCase();
    if (status && !isStatus(status)) return { kind: 'invalid', reason: `Unknown status "${status}". Use open, in_progress, resolved or closed.` };
    return { kind: 'list', status: isStatus(status) ? status : undefined };
  }
  const verb = VERB_STATUS[word];
  if (verb || word === 'note' || word === 'reply') {
    const id = rest[0] ?? '';
    if (!TICKET_ID.test(id)) return { kind: 'invalid', reason: `Give a ticket id, e.g. \`/ticket ${word} T-1001\`.` };
    const tail = text.slice(text.indexOf(id) + id.length).trim();
    if (verb) return { kind: 'status', ticketId: id.toUpperCase(), status: verb, note: tail || undefined };
    if (!tail) return { kind: 'invalid', reason: `Write the ${word} after the ticket id.` };
    return { kind: word === 'reply' ? 'reply' : 'note', ticketId: id.toUpperCase(), text: tail };
  }
  return { kind: 'invalid', reason: `I don't know "${first}".` };
}

export function registerTicketCommand(app: App, deps: SlackHandlerDeps & { track: (p: Promise<unknown>) => void; conversations: Pick<ConversationsPort, 'deliverStaffReplies'> }): void {
  const reply = (respond: RespondFn, texts: string[]) =>
    respond({ response_type: 'ephemeral', text: texts.join('\n').slice(0, 3000), blocks: asBlocks(sectionBlocks(texts)) });

  async function run(cmd: TicketCommand, tools: ToolsFor<Caller['kind']>): Promise<string[]> {
    const staff = tools.audience === 'staff';
    switch (cmd.kind) {
      case 'help':
      case 'create':
        return [USAGE];
      case 'invalid':
        return [`${escapeSlack(cmd.reason)}\n\n${USAGE}`];
      case 'show': {
        if (tools.audience === 'staff') {
          const r = await tools.call('handle_ticket', { ticketId: cmd.ticketId });
          const extra = [`_Analysis: sentiment ${escapeSlack(r.analysis.sentiment.label)}, category ${escapeSlack(r.analysis.category.name)}_`];
          return ticketDetail(r.ticket, { staff: true, extra });
        }
        if (tools.audience !== 'customer') return [USAGE];
        const r = await tools.call('get_my_ticket', { ticketId: cmd.ticketId });
        return ticketDetail(r.ticket, { staff: false });
      }
      case 'list': {
        const args = cmd.status ? { status: cmd.status } : {};
        if (tools.audience === 'anonymous') return [USAGE];
        const { tickets } = tools.audience === 'staff' ? await tools.call('list_tickets', { ...args, limit: 30 }) : await tools.call('list_my_tickets', args);
        if (tickets.length === 0) return [`No ${cmd.status ? `${escapeSlack(cmd.status)} ` : ''}tickets.`];
        return [`*${staff ? 'Tickets' : 'Your tickets'}${cmd.status ? ` (${escapeSlack(cmd.status)})` : ''}*`, tickets.slice(0, 30).map((t) => ticketLine(t, { showCustomer: staff })).join('\n')];
      }
      case 'status': {
        if (tools.audience !== 'staff') return ['Only support staff can change a ticket\'s status. Reply in your conversation with Helpline and we will take care of it.'];
        const r = await tools.call('update_ticket_status', { ticketId: cmd.ticketId, status: cmd.status, ...(cmd.note ? { note: cmd.note } : {}) });
        return [`${escapeSlack(r.ticket.id)} is now *${escapeSlack(r.ticket.status)}*.`];
      }
      case 'note': {
        if (tools.audience !== 'staff') return ['Only support staff can add notes to a ticket.'];
        const r = await tools.call('respond_to_ticket', { ticketId: cmd.ticketId, message: cmd.text, visibility: 'internal' });
        return [`Internal note added to ${escapeSlack(r.ticket.id)} (staff only; not sent to the customer).`];
      }
      case 'reply': {
        if (tools.audience !== 'staff') return ['Only support staff can reply on a ticket. Reply in your conversation with Helpline and we will take care of it.'];
        const r = await tools.call('respond_to_ticket', { ticketId: cmd.ticketId, message: cmd.text, visibility: 'public' });
        const outcomes = await deliverForStaff(deps.conversations, r.ticket.id, deps.log);
        return [[`Public reply saved on ${escapeSlack(r.ticket.id)}.`, ...outcomes.map((o) => `${o.reached ? ':incoming_envelope:' : ':warning:'} ${escapeSlack(o.text)}`)].join('\n')];
      }
    }
  }

  async function handle(command: { user_id: string; text: string; trigger_id: string; channel_id: string }, respond: RespondFn): Promise<void> {
    const cmd = parseTicketCommand(command.text ?? '');
    const caller = await deps.identity.callerFor(command.user_id, { allowStaff: true });
    if (cmd.kind === 'create') {
      const { email } = caller.kind === 'anonymous' ? await deps.identity.profile(command.user_id) : { email: undefined };
      const view = ticketCreateModal({ role: caller.kind, channel: command.channel_id, knownContact: email });
      await deps.lanes.run('views.open', () => deps.client.views.open({ trigger_id: command.trigger_id, view: asView(view) }));
      return;
    }
    if (caller.kind === 'anonymous' && cmd.kind !== 'help' && cmd.kind !== 'invalid') {
      await reply(respond, ['I could not link your Slack account to a customer record, so I can only open new tickets for you (`/ticket`). To see your tickets, ask us to link your Slack account or use the email address on file.']);
      return;
    }
    try {
      const texts = await withTools(deps.connectTools, caller, {}, (tools) => run(cmd, tools));
      await reply(respond, texts);
    } catch (err) {
      const said = toolErrorText(err);
      if (said === undefined) deps.log.error({ err: (err as Error).message, command: cmd.kind }, '/ticket failed');
      const message = said ?? 'Something went wrong; please try again.';
      await reply(respond, [escapeSlack(message)]);
    }
  }

  app.command('/ticket', async ({ ack, command, respond }) => {
    await ack();
    if (!deps.teamOk(command.team_id)) return;
    deps.track(handle(command, respond).catch((err: Error) => deps.log.error({ err: err.message }, '/ticket handler failed')));
  });
}
