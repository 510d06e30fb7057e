import { describe, expect, it } from 'vitest';
import { addressText, parseAddress } from '../../src/agent/offline-address.js';
import { detectIntent, last4In } from '../../src/agent/offline-intents.js';

describe('offline address parsing', () => {
  it.each([
    ['change my address to 12 High Street, London SW1A 1AA, GB', { line1: '12 High Street', city: 'London', postalCode: 'SW1A 1AA', country: 'GB' }],
    ['my new address is 1 Main St, Apt 4, Springfield, IL 62704, USA', { line1: '1 Main St', line2: 'Apt 4', city: 'Springfield', region: 'IL', postalCode: '62704', country: 'US' }],
    ['I moved to Hauptstr. 5, 10115 Berlin, Germany.', { line1: 'Hauptstr. 5', city: 'Berlin', postalCode: '10115', country: 'DE' }],
    ['update address: 7 Elm Road, Flat 2, Manchester, M1 2AB, United Kingdom', { line1: '7 Elm Road', line2: 'Flat 2', city: 'Manchester', postalCode: 'M1 2AB', country: 'GB' }],
  ])('%s', (text, expected) => {
    expect(parseAddress(addressText(text) ?? '')).toEqual(expected);
  });

  it('refuses incomplete addresses instead of guessing', () => {
    expect(parseAddress(addressText('change my address to London') ?? '')).toBeUndefined();
    expect(parseAddress('12 High Street, London SW1A 1AA')).toBeUndefined(); // no country
    expect(parseAddress('12 High Street, GB')).toBeUndefined();
  });
});

describe('offline intents', () => {
  it.each([
    ['hi there', 'greeting'], ["what's my balance?", 'balance'], ['show my last 3 transactions', 'transactions'],
    ['change my address to 1 A St, Leeds LS1 1AA, GB', 'address'], ['I lost my card', 'card'], ['reset my password please', 'password'],
    ['open a ticket about fees', 'ticket_create'], ['status of T-1001', 'ticket_status'], ['my tickets', 'ticket_list'],
    ['How do I dispute a payment?', 'kb'], ['can I talk to a human', 'human'], ['yes', 'confirm'], ['no thanks', 'decline'], ['blorp', 'unknown'],
  ])('%s → %s', (text, kind) => {
    expect(detectIntent(text).kind).toBe(kind);
  });

  it('never takes digits out of a full card number', () => {
    expect(last4In('block card 4111 1111 1111 1111')).toBeUndefined();
    expect(detectIntent('block my card 4111111111111111')).toMatchObject({ kind: 'card', fullNumber: true });
    expect(last4In('card ending in 4242')).toBe('4242');
  });
});
