import { describe, expect, it } from 'vitest';
import { analyzeEmail, type ThreadLookup } from '../../../src/channels/email/analysis/analyze.js';
import { resolveThread, ticketIdFromSubject } from '../../../src/channels/email/analysis/threading.js';
import { compose, fixture, options } from './fixtures/build.js';

const thread = { threadKey: 'email:<first-message@mail.example.com>', customerEmail: 'Alice@example.com' };

function lookupWith(byId: Record<string, typeof thread>, byTicket: Record<string, typeof thread> = {}): ThreadLookup & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    asked,
    threadForMessageIds: async (ids) => {
      asked.push(ids);
      for (const id of ids) if (byId[id]) return byId[id];
      return undefined;
    },
    threadForTicket: async (id) => byTicket[id],
    isOwnMessageId: async () => false,
  };
}

describe('threading', () => {
  it('continues the conversation of a message we sent, for the same verified customer', async () => {
    const lookup = lookupWith({ '<helpline-reply-1@helpline.test>': thread });
    const a = await analyzeEmail(fixture('customer-reply.eml'), options({ lookup }));
    expect(a.threadKey).toBe(thread.threadKey);
    expect(a.inReplyTo).toBe('<helpline-reply-1@helpline.test>');
    expect(a.references).toEqual(['<first-message@mail.example.com>', '<helpline-reply-1@helpline.test>']);
    expect(lookup.asked[0]?.[0]).toBe('<helpline-reply-1@helpline.test>');
  });

  it('starts a new conversation when another address replies to the thread', async () => {
    const raw = fixture('customer-reply.eml').toString().replace('From: alice@example.com', 'From: eve@example.com');
    const a = await analyzeEmail(Buffer.from(raw), options({ lookup: lookupWith({ '<helpline-reply-1@helpline.test>': thread }, { 'T-1001': thread }), verifySender: false }));
    expect(a.threadKey).toBe('email:<second-message@mail.example.com>');
  });

  it('falls back to the [T-1001] subject token, again only for the same sender', async () => {
    const lookup = lookupWith({}, { 'T-1001': thread });
    const input = { senderAddress: 'alice@example.com', senderVerified: true, messageId: '<n@x>', references: [], subject: 'Re: card [#T-1001]' };
    expect(await resolveThread(input, lookup)).toEqual({ threadKey: thread.threadKey, via: 'ticket' });
    expect(await resolveThread({ ...input, senderAddress: 'bob@example.com' }, lookup)).toEqual({ threadKey: 'email:<n@x>', via: 'new', refused: 'ticket' });
    expect(ticketIdFromSubject('Re: [t-42] hello')).toBe('T-42');
    expect(ticketIdFromSubject('T-42 without brackets')).toBeUndefined();
  });

  it('does not continue a thread for an unverified sender (a forged From cannot read the history)', async () => {
    const lookup = lookupWith({ '<helpline-reply-1@helpline.test>': thread });
    const raw = compose({ From: 'alice@example.com', 'In-Reply-To': '<helpline-reply-1@helpline.test>', 'Message-ID': '<forged@evil.example>' });
    const a = await analyzeEmail(raw, options({ lookup }));
    expect(a.sender.verified).toBe(false);
    expect(a.threadKey).toBe('email:<forged@evil.example>');
  });

  it('keys a new thread by the message id, synthetic and stable when the message has none', async () => {
    const one = await analyzeEmail(fixture('no-message-id.eml'), options());
    const two = await analyzeEmail(fixture('no-message-id.eml'), options());
    expect(one.messageId).toMatch(/^<[0-9a-f]{40}@synthetic\.helpline\.invalid>$/);
    expect(two.messageId).toBe(one.messageId);
    expect(one.threadKey).toBe(`email:${one.messageId}`);
  });
});
