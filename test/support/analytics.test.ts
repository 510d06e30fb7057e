import { describe, expect, it } from 'vitest';
import { makeSupport } from './fixture.js';

describe('analytics', async () => {
  const { support } = await makeSupport();
  const analyze = support.analytics.analyze;

  it.each([
    ['Someone made fraudulent purchases on my account, I think I was scammed', 'fraud', 'urgent'],
    ['I lost my card yesterday, please block it', 'card', 'urgent'],
    ['My card was stolen from my bag', 'card', 'urgent'],
    ['I cannot log in, the password reset says my account is locked out', 'account_access', 'high'],
    ['Why was I charged a monthly fee? I want a refund', 'billing', 'normal'],
    ['I moved house and need to change my address', 'address', 'normal'],
    ['The app crashes with an error every time I open it', 'technical', 'normal'],
    ['What time do you open on Saturday?', 'general', 'low'],
  ])('%s → %s / %s', (text, category, priority) => {
    const a = analyze(text);
    expect(a.category.name).toBe(category);
    expect(a.priority).toBe(priority);
    expect(a.category.confidence).toBeGreaterThanOrEqual(0);
    expect(a.category.confidence).toBeLessThanOrEqual(1);
  });

  it('sentiment: score, comparative and label follow the words', () => {
    const angry = analyze('This is terrible, awful service and I am furious');
    expect(angry.sentiment.label).toBe('negative');
    expect(angry.sentiment.score).toBeLessThan(-5);
    expect(angry.priority).toBe('high');
    const happy = analyze('Thanks, the new card works great, excellent help!');
    expect(happy.sentiment.label).toBe('positive');
    expect(happy.sentiment.comparative).toBeGreaterThan(0);
    expect(analyze('My address is 1 Oak Street').sentiment.label).toBe('neutral');
  });

  it('more evidence gives more confidence', () => {
    const weak = analyze('question about a fee').category;
    const strong = analyze('Overdraft fee and interest charged twice, I want a refund of the fees').category;
    expect(weak.name).toBe('billing');
    expect(strong.name).toBe('billing');
    expect(strong.confidence).toBeGreaterThan(weak.confidence);
  });
});
