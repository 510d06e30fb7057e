import { afterEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../../src/conversations/types.js';
import { AppError } from '../../../src/errors.js';
import type { Caller } from '../../../src/support/caller.js';
import { postEvent } from '../../helpers/slack-sign.js';
import { eventBody, fakeTools, SECRET, startHarness, toolTicket, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const ada = { id: 'cus_001', name: 'Ada Lovelace', email: 'ada@example.com', slackUserId: 'UCUST' };
const grace = { id: 'cus_002', name: 'Grace Hopper', email: 'grace@example.com' };

function msg(h0: Harness, user: string, channelType: 'im' | 'channel'): InboundMessage {
  return { id: 'm1', channel: 'slack', threadKey: `slack:${h0.fake.teamId}:D1:1.1`, sender: { id: user, verified: true }, text: 'hi', receivedAt: new Date().toISOString(), meta: { channelType } };
}

describe('Slack identity', () => {
  it('finds a customer by linked Slack id, else by a Slack-verified profile email; unverified or unknown is anonymous', async () => {
    h = await startHarness({ customers: [ada, grace] });
    const f = h.fake;
    f.users.set('UGRACE', { id: 'UGRACE', is_email_confirmed: true, profile: { email: 'Grace@Example.com', display_name: 'grace' } });
    f.users.set('UFAKE', { id: 'UFAKE', is_email_confirmed: false, profile: { email: 'grace@example.com' } });
    f.users.set('UEXT', { id: 'UEXT', team_id: 'T0OTHER', is_email_confirmed: true, profile: { email: 'grace@example.com' } });
    f.users.set('UBOTX', { id: 'UBOTX', is_bot: true, is_email_confirmed: true, profile: { email: 'grace@example.com' } });
    const id = h.channel.identity;
    expect(await id.resolve({ id: 'UCUST', verified: true }, msg(h, 'UCUST', 'im'))).toEqual({ kind: 'customer', customerId: 'cus_001' });
    expect(f.callsOf('users.info')).toHaveLength(0);
    expect(await id.resolve({ id: 'UGRACE', verified: true }, msg(h, 'UGRACE', 'im'))).toEqual({ kind: 'customer', customerId: 'cus_002' });
    expect(await id.resolve({ id: 'UFAKE', verified: true }, msg(h, 'UFAKE', 'im'))).toEqual({ kind: 'anonymous' });
    expect(await id.resolve({ id: 'UEXT', verified: true }, msg(h, 'UEXT', 'im'))).toEqual({ kind: 'anonymous' });
    expect(await id.resolve({ id: 'UBOTX', verified: true }, msg(h, 'UBOTX', 'im'))).toEqual({ kind: 'anonymous' });
    expect(await id.resolve({ id: 'UNOBODY', verified: true }, msg(h, 'UNOBODY', 'im'))).toEqual({ kind: 'anonymous' });
    // cached: a second look-up makes no new users.info call
    const calls = f.callsOf('users.info').length;
    expect(await id.resolve({ id: 'UGRACE', verified: true }, msg(h, 'UGRACE', 'im'))).toEqual({ kind: 'customer', customerId: 'cus_002' });
    // In a channel thread a known customer is anonymous (account business only in DMs), keeping their email for tickets.
    expect(await id.resolve({ id: 'UGRACE', verified: true }, msg(h, 'UGRACE', 'channel'))).toEqual({ kind: 'anonymous', contact: 'grace@example.com', sharedChannel: true });
    expect(f.callsOf('users.info')).toHaveLength(calls);
  });

  it('a users.info failure is anonymous and is not cached', async () => {
    h = await startHarness({ customers: [grace], deps: { appOptions: { webApiRetries: 0 } } });
    h.fake.users.set('UGRACE', { id: 'UGRACE', is_email_confirmed: true, profile: { email: 'grace@example.com' } });
    h.fake.script('users.info', { status: 500, body: { ok: false } });
    const first = await h.channel.identity.resolve({ id: 'UGRACE', verified: true }, msg(h, 'UGRACE', 'im'));
    expect(h.fake.callsOf('users.info', { all: true })).toHaveLength(1);
    expect(first).toEqual({ kind: 'anonymous' });
    expect(await h.channel.identity.resolve({ id: 'UGRACE', verified: true }, msg(h, 'UGRACE', 'im'))).toEqual({ kind: 'customer', customerId: 'cus_002' });
  });

  it('staff get staff tools only in a direct message (a channel thread is read by others)', async () => {
    h = await startHarness({ customers: [ada] });
    expect(await h.channel.identity.resolve({ id: 'USTAFF', verified: true }, msg(h, 'USTAFF', 'im'))).toEqual({ kind: 'staff', staffId: 'USTAFF' });
    expect((await h.channel.identity.resolve({ id: 'USTAFF', verified: true }, msg(h, 'USTAFF', 'channel'))).kind).toBe('anonymous');
  });
});

describe('App Home', () => {
  function homeTools() {
    return fakeTools((caller: Caller, name, args) => {
      switch (name) {
        case 'list_tickets':
          return { tickets: args['status'] === 'open'
            ? [toolTicket({ id: 'T-1', subject: 'Low thing', status: 'open', priority: 'low', customerName: 'Ada' }), toolTicket({ id: 'T-2', subject: 'Fire <!here>', status: 'open', priority: 'urgent', customerName: 'Grace' })]
            : [toolTicket({ id: 'T-3', subject: 'Working on it', status: 'in_progress', priority: 'high', customerName: 'Ada' })] };
        case 'list_pending_approvals':
          return { approvals: [{ id: 'apr_9', customerId: 'cus_001', action: 'card_deactivation', reason: 'lost it', requestedAt: '2026-11-22T00:00:00Z', expiresAt: '2026-11-23T00:00:00Z', status: 'pending' }] };
        case 'get_support_metrics':
          return {
            ticketsByStatus: {}, ticketsByCategory: {}, ticketsByChannel: {}, medianResolutionMinutes: null,
            today: { opened: 4, resolved: 2 }, medianFirstResponseMinutes: 12.4, openApprovals: 1, sentimentTrend: [{ day: new Date().toISOString().slice(0, 10), average: -1.2, count: 3 }],
          };
        case 'list_my_tickets':
          if (caller.kind !== 'customer') throw new AppError('forbidden', 'customers only');
          return { tickets: args['status'] === 'open' ? [toolTicket({ id: 'T-1', subject: 'Low thing', status: 'open', priority: 'low' })] : [] };
        default:
          throw new Error(`unexpected ${name}`);
      }
    });
  }

  async function open(hh: Harness, user: string) {
    const before = hh.fake.callsOf('views.publish').length;
    await postEvent(hh.url, SECRET, eventBody(hh.fake, { type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home', event_ts: '1.1' }));
    const call = await hh.fake.waitFor(() => hh.fake.callsOf('views.publish')[before]);
    expect(call.args['user_id']).toBe(user);
    return JSON.stringify(call.args['view']);
  }

  it('staff see open tickets by priority, pending approvals and today\'s metrics', async () => {
    h = await startHarness({ tools: homeTools(), customers: [ada] });
    const view = await open(h, 'USTAFF');
    expect(view).toContain('opened: *4*');
    expect(view).toContain('resolved: *2*');
    expect(view).toContain('12 min');
    expect(view).toContain('negative');
    expect(view).toContain('apr_9');
    expect(view).toContain('*Deactivate a card*');
    expect(view).not.toContain('card_deactivation');
    expect(view).toContain('Fire &lt;!here&gt;');
    expect(view.indexOf('T-2')).toBeLessThan(view.indexOf('T-3'));
    expect(view.indexOf('T-3')).toBeLessThan(view.indexOf('T-1'));
  });

  it('customers see their open tickets; unknown people a short explanation', async () => {
    h = await startHarness({ tools: homeTools(), customers: [ada] });
    const mine = await open(h, 'UCUST');
    expect(mine).toContain('Ada Lovelace');
    expect(mine).toContain('T-1');
    expect(mine).not.toContain('apr_9');
    const unknown = await open(h, 'UNOBODY');
    expect(unknown).toContain('could not link your Slack account');
    expect(unknown).not.toContain('T-1');
  });
});
