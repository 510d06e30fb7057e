import { beforeAll, describe, expect, it } from 'vitest';
import { addressText, createAddressReader } from '../../src/agent/offline/address.js';
import { createCountryLookup } from '../../src/agent/offline/countries.js';
import { createOfflineEngine, type OfflineEngine } from '../../src/agent/offline/engine.js';
import { hasFullCardNumber, last4In, transactionLimit } from '../../src/agent/offline/slots.js';

const countries = createCountryLookup();
const { parse, partial } = createAddressReader(countries);

describe('offline address parsing', () => {
  it.each([
    ['change my address to 12 High Street, London SW1A 1AA, GB', { line1: '12 High Street', city: 'London', postalCode: 'SW1A 1AA', country: 'GB' }],
    ['my new address is 1 Main St, Apt 4, Springfield, IL 62704, USA', { line1: '1 Main St', line2: 'Apt 4', city: 'Springfield', region: 'IL', postalCode: '62704', country: 'US' }],
    ['I moved to Hauptstr. 5, 10115 Berlin, Germany.', { line1: 'Hauptstr. 5', city: 'Berlin', postalCode: '10115', country: 'DE' }],
    ['update address: 7 Elm Road, Flat 2, Manchester, M1 2AB, United Kingdom', { line1: '7 Elm Road', line2: 'Flat 2', city: 'Manchester', postalCode: 'M1 2AB', country: 'GB' }],
    ["Can you update my postal address? It's now 10 Downing Street, London, SW1A 2AA, GB", { line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' }],
  ])('%s', (text, expected) => {
    expect(parse(addressText(text) ?? '')).toEqual(expected);
    expect(parse(text)).toEqual(expected);
  });

  it('refuses incomplete addresses instead of guessing', () => {
    expect(parse(addressText('change my address to London') ?? '')).toBeUndefined();
    expect(parse('12 High Street, London SW1A 1AA')).toBeUndefined(); // no country
    expect(parse('12 High Street, GB')).toBeUndefined();
  });

  it('reads the parts of an address given over several answers', () => {
    expect(partial('10 Downing Street, London, SW1A 2AA')).toEqual({ line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA' });
    expect(partial('Germany')).toEqual({ country: 'DE' });
    expect(partial('London', ['city'])).toEqual({ city: 'London' });
    expect(partial('SW1A 2AA')).toEqual({ postalCode: 'SW1A 2AA' });
  });
});

describe('country names → ISO 3166-1 alpha-2', () => {
  it.each([
    ['Germany', 'DE'], ['germany', 'DE'], ['Deutschland', 'DE'], ['UK', 'GB'], ['United Kingdom', 'GB'], ['England', 'GB'], ['USA', 'US'],
    ['United States of America', 'US'], ['Holland', 'NL'], ['the Netherlands', 'NL'], ["Côte d'Ivoire", 'CI'], ['Ivory Coast', 'CI'],
    ['Czech Republic', 'CZ'], ['Türkiye', 'TR'], ['Turkey', 'TR'], ['South Korea', 'KR'], ['St. Lucia', 'LC'], ['Bosnia & Herzegovina', 'BA'],
    ['Myanmar', 'MM'], ['Vietnam', 'VN'], ['New Zealand', 'NZ'], ['gb', 'GB'], ['fr', 'FR'],
  ])('%s → %s', (name, code) => {
    expect(countries(name)).toBe(code);
  });

  it('knows every region ICU names and refuses what is not a country', () => {
    const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    for (const code of ['JP', 'BR', 'ZA', 'IN', 'MX', 'NG', 'AR', 'IS', 'FJ']) expect(countries(names.of(code)!)).toBe(code);
    for (const name of ['London', 'ZZ', 'EU', 'Europe', 'Paris', '']) expect(countries(name)).toBeUndefined();
  });
});

describe('offline slots', () => {
  it('never takes digits out of a full card number', () => {
    expect(last4In('block card 4111 1111 1111 1111')).toBeUndefined();
    expect(hasFullCardNumber('block my card 4111111111111111')).toBe(true);
    expect(hasFullCardNumber('my card [card number removed] was stolen')).toBe(true);
    expect(last4In('card ending in 4242')).toBe('4242');
    expect(last4In('status of T-1014')).toBeUndefined();
  });

  it.each([['Can I see my last 10 payments?', 10], ['show me the last ten transactions', 10], ['my last 4 transactions', 4], ['my most recent payment', 1], ['recent transactions', 5]])(
    '%s → limit %d', (text, limit) => {
      expect(transactionLimit(text)).toBe(limit);
    },
  );
});

describe('offline intents (the trained classifier and its safety rules)', () => {
  let engine: OfflineEngine;
  beforeAll(async () => {
    engine = await createOfflineEngine();
  });

  it.each([
    ['hi there', 'greeting'], ["what's my balance?", 'balance'], ['show my last 3 transactions', 'transactions'],
    ['change my address to 1 A St, Leeds LS1 1AA, GB', 'address'], ['I lost my card', 'card_block'], ['reset my password please', 'password'],
    ['open a ticket about fees', 'ticket_create'], ['status of T-1001', 'ticket_status'], ['my tickets', 'ticket_list'],
    ['How do I dispute a payment?', 'kb'], ['can I talk to a human', 'human'], ['yes', 'confirm'], ['no thanks', 'decline'], ['blorp', 'other'],
    ['hw much money do i have left', 'balance'], ['please freeze my mastercard', 'card_freeze'], ['how much do you charge for an overdraft?', 'kb'],
    ['Can I see my last 10 payments?', 'transactions'], ['blance', 'balance'], ['recent trasactions', 'transactions'], ['i forgot my pasword', 'password'],
  ])('%s → %s', async (text, intent) => {
    const reading = await engine.nlu.read(text);
    expect(reading.clarify).toBeUndefined();
    expect(reading.requests.map((r) => r.intent)).toEqual([intent]);
  });

  it('reads several requests in one message, and asks when a sensitive request is unclear', async () => {
    expect((await engine.nlu.read('balance and my last transactions')).requests.map((r) => r.intent)).toEqual(['balance', 'transactions']);
    for (const text of ['password', 'my card', 'can you update that']) expect((await engine.nlu.read(text)).clarify, text).toBeDefined();
  });
});
