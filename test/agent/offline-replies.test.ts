import { describe, expect, it } from 'vitest';
import { successReply } from '../../src/agent/offline/replies.js';

describe('offline replies: money in each currency\'s own minor units', () => {
  it('yen has no minor digits, euros two, dinars three', () => {
    const tx = (amountMinor: number, currency: string) => ({ postedAt: '2026-12-01T10:00:00Z', merchant: 'Shop', amountMinor, currency, status: 'posted' });
    const reply = successReply('get_recent_transactions', { transactions: [tx(-1500, 'JPY'), tx(-1500, 'EUR'), tx(-1500, 'BHD')] }, {}, 'transactions');
    expect(reply).toContain('-JP¥1,500'); // en-GB's symbol for yen
    expect(reply).toContain('-€15.00');
    expect(reply).toMatch(/-BHD\s1\.500/u); // ICU puts a no-break space after the code
  });

  it('an unknown currency code still shows the amount, never a wrong scale', () => {
    const reply = successReply('get_recent_transactions', { transactions: [{ postedAt: '2026-12-01', merchant: 'X', amountMinor: 250, currency: 'not a code', status: 'posted' }] }, {}, 'transactions');
    expect(reply).toContain('250 not a code (minor units)');
  });
});
