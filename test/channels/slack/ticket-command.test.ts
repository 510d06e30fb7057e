import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseTicketCommand } from '../../../src/channels/slack/ticket-command.js';
import type { Caller } from '../../../src/support/caller.js';
import { postForm } from '../../helpers/slack-sign.js';
import { AppError } from '../../../src/errors.js';
import { fakeTools, SECRET, startHarness, toolTicket, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const ada = { id: 'cus_001', name: 'Ada Lovelace', email: 'ada@example.com', slackUserId: 'UCUST' };
const tickets = [
  toolTicket({ id: 'T-1001', customerId: 'cus_001', customerName: 'Ada Lovelace', subject: 'Card <!channel> stuck', status: 'open', priority: 'high', category: 'card', createdAt: '2026-11-20T10:00:00Z', updatedAt: '2026-11-21T10:00:00Z',
    messages: [{ at: '2026-11-20T10:00:00Z', author: { kind: 'customer', id: 'cus_001' }, visibility: 'public', body: 'It is stuck' }, { at: '2026-11-20T11:00:00Z', author: { kind: 'staff', id: 'USTAFF' }, visibility: 'internal', body: 'secret staff note' }],
    history: [{ at: '2026-11-20T10:00:00Z', from: null, to: 'open', by: { kind: 'customer', id: 'cus_001' } }, { at: '2026-11-21T10:00:00Z', from: 'open', to: 'in_progress', by: { kind: 'staff', id: 'USTAFF' }, note: 'looking' }] }),
  toolTicket({ id: 'T-2000', customerId: 'cus_002', customerName: 'Bob', subject: 'Bob only', status: 'open', priority: 'low', createdAt: '2026-11-20T10:00:00Z', messages: [], history: [] }),
];

/** Support-like ticket tools: customers only ever reach their own tickets. */
function ticketTools() {
  return fakeTools((caller: Caller, name, args) => {
    const own = (t: (typeof tickets)[number]) => caller.kind === 'customer' && t.customerId === caller.customerId;
    const visible = (t: (typeof tickets)[number]) => ({ ...t, messages: t.messages.filter((m) => m.visibility === 'public') });
    switch (name) {
      case 'list_my_tickets': return { tickets: tickets.filter(own).filter((t) => !args['status'] || t.status === args['status']).map(visible) };
      case 'get_my_ticket': {
        const t = tickets.find((x) => x.id === args['ticketId'] && own(x));
        if (!t) throw new AppError('not_found', `No ticket ${String(args['ticketId'])} was found.`);
        return { ticket: visible(t) };
      }
      case 'list_tickets': return { tickets: tickets.filter((t) => !args['status'] || t.status === args['status']) };
      case 'handle_ticket': return { ticket: tickets.find((t) => t.id === args['ticketId']), customer: null, notes: [], analysis: { sentiment: { score: -3, comparative: -0.5, label: 'negative' }, category: { name: 'card', confidence: 0.9 }, priority: 'high' } };
      case 'update_ticket_status': return { ticket: { ...tickets[0], status: args['status'] } };
      case 'respond_to_ticket': return { ticket: tickets[0] };
      case 'find_customer': return { customers: String(args['query']).includes('ada') ? [{ id: 'cus_001', name: 'Ada', email: 'ada@example.com' }] : [] };
      case 'create_ticket': return { ticket: toolTicket({ id: 'T-3000', subject: String(args['subject']) }) };
      default: throw new Error(`unexpected tool ${name}`);
    }
  });
}

async function command(hh: Harness, user: string, text: string) {
  const before = hh.fake.callsOf('response_url').length;
  const res = await postForm(hh.url, SECRET, {
    token: 'legacy', team_id: hh.fake.teamId, team_domain: 'fake', channel_id: 'C0GEN', channel_name: 'general', user_id: user, user_name: user,
    command: '/ticket', text, api_app_id: 'A0APP', response_url: `${hh.fake.baseUrl}/respond/${user}`, trigger_id: `trig-${user}`,
  });
  expect(res.status).toBe(200);
  if (text.trim() === '') return undefined;
  const r = await hh.fake.waitFor(() => hh.fake.callsOf('response_url')[before]);
  expect(r.args['response_type']).toBe('ephemeral');
  return JSON.stringify(r.args['blocks']);
}

describe('parseTicketCommand', () => {
  it('reads every form', () => {
    expect(parseTicketCommand('')).toEqual({ kind: 'create' });
    expect(parseTicketCommand(' t-1001 ')).toEqual({ kind: 'show', ticketId: 'T-1001' });
    expect(parseTicketCommand('list')).toEqual({ kind: 'list', status: undefined });
    expect(parseTicketCommand('list resolved')).toEqual({ kind: 'list', status: 'resolved' });
    expect(parseTicketCommand('list bogus').kind).toBe('invalid');
    expect(parseTicketCommand('close T-1001 fixed it')).toEqual({ kind: 'status', ticketId: 'T-1001', status: 'closed', note: 'fixed it' });
    expect(parseTicketCommand('resolve T-7')).toEqual({ kind: 'status', ticketId: 'T-7', status: 'resolved', note: undefined });
    expect(parseTicketCommand('reopen T-7 again')).toMatchObject({ status: 'open' });
    expect(parseTicketCommand('note T-1001 called the customer')).toEqual({ kind: 'note', ticketId: 'T-1001', text: 'called the customer' });
    expect(parseTicketCommand('note T-1001').kind).toBe('invalid');
    expect(parseTicketCommand('close').kind).toBe('invalid');
    expect(parseTicketCommand('dance').kind).toBe('invalid');
  });
});

describe('/ticket for staff', () => {
  it('shows a ticket with history and internal messages, lists, changes status and adds notes as that staff member', async () => {
    const tools = ticketTools();
    h = await startHarness({ tools, customers: [ada] });
    const shown = await command(h, 'USTAFF', 'T-1001');
    expect(shown).toContain('T-1001');
    expect(shown).toContain('Card &lt;!channel&gt; stuck');
    expect(shown).toContain('in_progress');
    expect(shown).toContain('secret staff note');
    expect(shown).toContain('sentiment negative');
    expect(tools.calls.at(-1)).toMatchObject({ caller: { kind: 'staff', staffId: 'USTAFF' }, name: 'handle_ticket', args: { ticketId: 'T-1001' } });

    const listed = await command(h, 'USTAFF', 'list open');
    expect(listed).toContain('T-1001');
    expect(listed).toContain('T-2000');
    expect(tools.calls.at(-1)).toMatchObject({ name: 'list_tickets', args: { status: 'open' } });

    expect(await command(h, 'USTAFF', 'close T-1001 all sorted')).toContain('is now *closed*');
    expect(tools.calls.at(-1)).toMatchObject({ name: 'update_ticket_status', args: { ticketId: 'T-1001', status: 'closed', note: 'all sorted' } });
    await command(h, 'USTAFF', 'resolve T-1001');
    expect(tools.calls.at(-1)).toMatchObject({ name: 'update_ticket_status', args: { status: 'resolved' } });
    await command(h, 'USTAFF', 'reopen T-1001');
    expect(tools.calls.at(-1)).toMatchObject({ name: 'update_ticket_status', args: { status: 'open' } });
    expect(await command(h, 'USTAFF', 'note T-1001 rang the customer')).toContain('Internal note added');
    expect(tools.calls.at(-1)).toMatchObject({ name: 'respond_to_ticket', args: { ticketId: 'T-1001', message: 'rang the customer', visibility: 'internal' } });
    expect(tools.sessions.open).toBe(0);
  });

  it('opens the create modal with a customer field, and a submission creates the ticket for that customer', async () => {
    const tools = ticketTools();
    h = await startHarness({ tools, customers: [ada] });
    const hh = h;
    await command(h, 'USTAFF', '');
    const open = await h.fake.waitFor(() => hh.fake.callsOf('views.open')[0]);
    expect(open.args['trigger_id']).toBe('trig-USTAFF');
    const view = open.args['view'] as { callback_id: string; blocks: Array<{ block_id: string }> };
    expect(view.callback_id).toBe('ticket_create');
    expect(view.blocks.map((b) => b.block_id)).toEqual(['subject', 'description', 'priority', 'customer']);

    const submission = (customer: string) => ({
      type: 'view_submission', team: { id: hh.fake.teamId }, user: { id: 'USTAFF' }, api_app_id: 'A0APP', token: 'legacy', trigger_id: 't',
      view: { id: 'V1', type: 'modal', callback_id: 'ticket_create', private_metadata: '{"channel":"C0GEN"}', state: { values: {
        subject: { value: { type: 'plain_text_input', value: 'Lost card' } },
        description: { value: { type: 'plain_text_input', value: 'Customer lost the card' } },
        priority: { value: { type: 'static_select', selected_option: { value: 'urgent' } } },
        customer: { value: { type: 'plain_text_input', value: customer } },
      } } },
    });
    const bad = await postForm(hh.url, SECRET, { payload: JSON.stringify(submission('nobody')) });
    expect(await bad.json()).toEqual({ response_action: 'errors', errors: { customer: 'No customer matches.' } });
    expect(tools.calls.some((c) => c.name === 'create_ticket')).toBe(false);

    const ok = await postForm(hh.url, SECRET, { payload: JSON.stringify(submission('ada')) });
    expect(ok.status).toBe(200);
    const created = await hh.fake.waitFor(() => tools.calls.find((c) => c.name === 'create_ticket'));
    expect(created).toMatchObject({ caller: { kind: 'staff', staffId: 'USTAFF' }, args: { subject: 'Lost card', description: 'Customer lost the card', priority: 'urgent', customerId: 'cus_001' } });
    const confirm = await hh.fake.waitFor(() => hh.fake.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'USTAFF'));
    expect(String(confirm.args['text'])).toContain('T-3000');
  });
});

describe('ticket modal under a slow Slack', () => {
  it('answers the submission by the deadline when a lookup is rate-limited, then opens the ticket and says so by DM', async () => {
    const tools = ticketTools();
    h = await startHarness({ tools, customers: [ada] });
    const hh = h;
    hh.fake.script('users.info', { status: 429, retryAfter: 4, times: 1 }); // the unlinked person's profile lookup
    const payload = {
      type: 'view_submission', team: { id: hh.fake.teamId }, user: { id: 'UNEW' }, api_app_id: 'A0APP', token: 'legacy', trigger_id: 't',
      view: { id: 'V2', type: 'modal', callback_id: 'ticket_create', private_metadata: '{"channel":"C0GEN"}', state: { values: {
        subject: { value: { type: 'plain_text_input', value: 'Card declined' } },
        description: { value: { type: 'plain_text_input', value: 'At the shop' } },
        priority: { value: { type: 'static_select', selected_option: { value: 'normal' } } },
        contact: { value: { type: 'email_text_input', value: 'new@customer.test' } },
      } } },
    };
    const t0 = performance.now();
    const res = await postForm(hh.url, SECRET, { payload: JSON.stringify(payload) });
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(3_000); // Slack's limit; the lookup alone waits 4 s
    const created = await hh.fake.waitFor(() => tools.calls.find((c) => c.name === 'create_ticket'), 15_000);
    expect(created.args).toMatchObject({ subject: 'Card declined', contact: 'new@customer.test' });
    const confirm = await hh.fake.waitFor(() => hh.fake.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'UNEW'), 15_000);
    expect(String(confirm.args['text'])).toContain('T-3000');
  }, 30_000);
});

describe('/ticket for a customer', () => {
  it('lists and shows only their own tickets, without internal messages, and cannot change status', async () => {
    const tools = ticketTools();
    h = await startHarness({ tools, customers: [ada] });
    const listed = await command(h, 'UCUST', 'list');
    expect(listed).toContain('T-1001');
    expect(listed).not.toContain('T-2000');
    expect(tools.calls.at(-1)).toMatchObject({ caller: { kind: 'customer', customerId: 'cus_001' }, name: 'list_my_tickets' });

    const own = await command(h, 'UCUST', 'T-1001');
    expect(own).toContain('It is stuck');
    expect(own).not.toContain('secret staff note');
    const other = await command(h, 'UCUST', 'T-2000');
    expect(other).toContain('No ticket T-2000 was found');
    expect(other).not.toContain('Bob only');

    const before = tools.calls.length;
    expect(await command(h, 'UCUST', 'close T-1001')).toMatch(/Only support staff/);
    expect(await command(h, 'UCUST', 'note T-1001 hello')).toMatch(/Only support staff/);
    expect(tools.calls.slice(before).map((c) => c.name)).toEqual([]);
  });

  it('someone just removed from the staff user group loses staff /ticket within seconds, not at the cache TTL', async () => {
    const tools = ticketTools();
    h = await startHarness({ tools, customers: [ada], config: { staffUserIds: [], staffUsergroup: 'S0STAFF' } });
    const hh = h;
    hh.fake.usergroups.set('S0STAFF', ['UGROUP']);
    expect(await command(hh, 'UGROUP', 'list')).toContain('T-2000'); // staff: every ticket
    hh.fake.usergroups.set('S0STAFF', []);
    const real = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => real() + 11_000); // well inside the 5-minute cache
    try {
      const before = tools.calls.length;
      // now an ordinary person with no customer record: may open a ticket, nothing else
      expect(await command(hh, 'UGROUP', 'close T-1001')).toMatch(/could not link your Slack account/);
      expect(await command(hh, 'UGROUP', 'list')).not.toContain('T-2000');
      expect(tools.calls.slice(before)).toEqual([]);
      expect(hh.fake.callsOf('usergroups.users.list').length).toBe(2); // one read at the first command, one 11 s later
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('a person not linked to any customer can only open tickets (with a contact email)', async () => {
    const tools = ticketTools();
    h = await startHarness({ tools, customers: [ada] });
    const hh = h;
    hh.fake.users.set('UANON', { id: 'UANON', is_email_confirmed: false, profile: { email: 'someone@else.example' } });
    expect(await command(h, 'UANON', 'list')).toContain('could not link your Slack account');
    expect(tools.calls).toHaveLength(0);
    await command(h, 'UANON', '');
    const open = await h.fake.waitFor(() => hh.fake.callsOf('views.open')[0]);
    const view = open.args['view'] as { blocks: Array<{ block_id: string }> };
    expect(view.blocks.map((b) => b.block_id)).toEqual(['subject', 'description', 'priority', 'contact']);
  });
});
