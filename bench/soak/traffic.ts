/**
 * Soak traffic generators. Slack: signed Events API deliveries retried like Slack does (until acked, with
 * `x-slack-retry-num`), half of them also delivered a second time on purpose. Email: mail dropped into the
 * Dovecot maildir (works while the bot or IMAP is down). Staff: two concurrent clicks (Approve by one staff
 * member, Deny by another) on every approval card the bot posts.
 */
import type { FakeSlack } from '../../test/helpers/fake-slack.js';
import type { Dovecot } from '../../test/helpers/dovecot.js';
import { rawMail } from '../../test/helpers/email-bot-fixtures.js';
import { postEvent, postForm } from '../../test/helpers/slack-sign.js';
import { sleep } from '../lib.js';
import { deliverToInbox } from '../maildir.js';

export interface SentSlack { marker: string; channel: string; ts: string; user: string; acked: boolean; deliveries: number }
export interface SentEmail { marker: string; messageId: string; from: string }
export interface SlackCustomer { userId: string; cards: string[] }

/** POST until a 200 ack (bounded): the way Slack retries an event that was not acknowledged. */
async function deliver(send: (retryNum: number | undefined) => Promise<Response>, deadline: number): Promise<{ acked: boolean; attempts: number }> {
  let attempts = 0;
  while (Date.now() < deadline) {
    try {
      const res = await send(attempts === 0 ? undefined : attempts);
      attempts++;
      await res.arrayBuffer();
      if (res.status === 200) return { acked: true, attempts };
    } catch {
      attempts++;
    }
    await sleep(Math.min(2000, 250 * attempts));
  }
  return { acked: false, attempts };
}

export function createSlackTraffic(o: { fake: FakeSlack; url: () => string; secret: string; customers: SlackCustomer[]; retryWindowMs: number }) {
  const sent: SentSlack[] = [];
  let n = 0;
  let tick = 0;
  const inFlight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => { inFlight.add(p); void p.finally(() => inFlight.delete(p)); };
  const usedCards = new Set<string>();

  function send(text: (marker: string) => string, customer: SlackCustomer): void {
    const i = ++n;
    const marker = `ref-S${i}`;
    const ts = `${1_720_000_000 + i}.${String(++tick).padStart(6, '0')}`;
    const channel = `D${customer.userId.slice(1)}`;
    const s: SentSlack = { marker, channel, ts, user: customer.userId, acked: false, deliveries: 0 };
    sent.push(s);
    const body = {
      token: 'legacy', team_id: o.fake.teamId, api_app_id: 'A0APP', type: 'event_callback', event_id: `EvSOAK${i}`, event_time: Math.floor(Date.now() / 1000),
      event: { type: 'message', channel, channel_type: 'im', user: customer.userId, text: text(marker), ts, client_msg_id: `cm-soak-${i}`, team: o.fake.teamId },
    };
    const deadline = Date.now() + o.retryWindowMs;
    track((async () => {
      const r = await deliver((retryNum) => postEvent(o.url(), o.secret, body, retryNum === undefined ? {} : { retryNum }), deadline);
      s.acked = r.acked;
      s.deliveries += r.attempts;
      if (i % 2 === 0) { // a duplicate delivery on purpose (Slack retries when an ack is slow)
        const dup = await deliver(() => postEvent(o.url(), o.secret, body, { retryNum: 1 }), deadline);
        s.deliveries += dup.attempts;
      }
    })());
  }

  return {
    sent,
    question(customer: SlackCustomer): void {
      send((m) => (n % 3 === 0 ? `What is my balance please? ${m}` : `Hello, how do I dispute a payment? ${m}`), customer);
    },
    /** Ask to deactivate a card not asked about before; false when every card was used. */
    deactivation(): boolean {
      for (const c of o.customers) {
        const card = c.cards.find((k) => !usedCards.has(k));
        if (!card) continue;
        usedCards.add(card);
        send((m) => `I lost it, please deactivate my card ${card} ${m}`, c);
        return true;
      }
      return false;
    },
    settled: async () => { while (inFlight.size) await Promise.allSettled([...inFlight]); },
  };
}

export function createEmailTraffic(o: { dovecot: Dovecot; customerEmails: string[] }) {
  const sent: SentEmail[] = [];
  let n = 0;
  return {
    sent,
    send(): void {
      const i = ++n;
      const marker = `ref-E${i}`;
      const known = i % 3 === 0 ? o.customerEmails[i % o.customerEmails.length] : undefined;
      const from = known ?? `soak-sender-${i}@customers.example`;
      const messageId = `<soak-${i}-${Date.now()}@customers.example>`;
      sent.push({ marker, messageId, from });
      const body = known ? `Hi, what is my balance today? ${marker}` : `Hello, what are your opening hours? ${marker}`;
      deliverToInbox(o.dovecot, rawMail({ from, subject: `Question ${i}`, messageId, dmarcPass: true, body }));
    },
  };
}

/** Clicks Approve (staff A) and Deny (staff B) at the same moment on every new approval card; retried like a person clicking again. */
export function createStaffClicker(o: { fake: FakeSlack; url: () => string; secret: string; staffChannel: string; staff: [string, string]; retryWindowMs: number }) {
  const clicked = new Map<string, { approveAck: boolean; denyAck: boolean }>();
  const inFlight = new Set<Promise<unknown>>();
  const click = (user: string, actionId: string, approvalId: string, deadline: number) => {
    const payload = {
      type: 'block_actions', team: { id: o.fake.teamId, domain: 'fake' }, user: { id: user, username: user, team_id: o.fake.teamId },
      api_app_id: 'A0APP', token: 'legacy', trigger_id: '123.456', container: { type: 'message', message_ts: '1700000000.000001', channel_id: o.staffChannel, is_ephemeral: false },
      channel: { id: o.staffChannel, name: 'staff' }, message: { type: 'message', ts: '1700000000.000001', text: 'card', blocks: [] },
      response_url: `${o.fake.baseUrl}/respond/soak`,
      actions: [{ type: 'button', action_id: actionId, block_id: `approval:${approvalId}`, value: approvalId, action_ts: '1710000000.1' }],
    };
    return deliver(() => postForm(o.url(), o.secret, { payload: JSON.stringify(payload) }), deadline);
  };
  function scan(): void {
    for (const call of o.fake.callsOf('chat.postMessage')) {
      if (call.args['channel'] !== o.staffChannel) continue;
      const text = JSON.stringify(call.args['blocks'] ?? []);
      for (const m of text.matchAll(/"action_id":"approval_approve","value":"([^"]+)"/g)) {
        const id = m[1]!;
        if (clicked.has(id)) continue;
        const entry = { approveAck: false, denyAck: false };
        clicked.set(id, entry);
        const deadline = Date.now() + o.retryWindowMs;
        const approve = () => click(o.staff[0], 'approval_approve', id, deadline).then((r) => { entry.approveAck = r.acked; });
        const deny = () => click(o.staff[1], 'approval_deny', id, deadline).then((r) => { entry.denyAck = r.acked; });
        // Both at once; which request leaves first alternates, so either decision can win.
        const p = clicked.size % 2 === 0 ? Promise.all([approve(), deny()]) : Promise.all([deny(), approve()]);
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
    }
  }
  const timer = setInterval(scan, 200);
  return {
    clicked,
    scan,
    async close() {
      clearInterval(timer);
      scan();
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}
