import { describe, expect, it } from 'vitest';
import { money } from '../../src/mcp/format.js';
import { formatMinor, minorDigits, plainMoney } from '../../src/support/money.js';

describe('money: one rule for minor units (ISO 4217), whoever shows the amount', () => {
  it('reads stored minor units in the currency\'s own digits', () => {
    expect(plainMoney(150000, 'JPY')).toBe('150,000 JPY');
    expect(plainMoney(-123456, 'EUR')).toBe('-1,234.56 EUR');
    expect(plainMoney(1500, 'BHD')).toBe('1.500 BHD');
    expect(plainMoney(5, 'USD')).toBe('0.05 USD');
    expect(formatMinor(150000, 'JPY')).toBe('¥150,000');
    expect(formatMinor(1500, 'BHD', 'en-GB')).toContain('1.500');
  });

  it('tool results and customer-facing text agree on every currency: same digits, same amount', () => {
    for (const currency of Intl.supportedValuesOf('currency')) {
      const plain = plainMoney(1234567, currency);
      const shown = formatMinor(1234567, currency, 'en-US');
      const digits = minorDigits(currency);
      const amount = (1234567 / 10 ** digits).toFixed(digits);
      expect(plain.replace(/,/g, ''), currency).toBe(`${amount} ${currency}`);
      expect(/\d[\d,]*(\.\d+)?/.exec(shown)?.[0].replace(/,/g, ''), `${currency}: ${shown}`).toBe(amount);
    }
  });

  it('the MCP tools use that one formatter', () => {
    expect(money).toBe(plainMoney);
  });
});
