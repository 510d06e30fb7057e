import { describe, expect, it } from 'vitest';
import { systemPrompt, systemPromptText } from '../../src/agent/system-prompt.js';

describe('system prompt', () => {
  it('is byte-stable per caller kind and differs between kinds', () => {
    expect(JSON.stringify(systemPrompt('customer'))).toBe(JSON.stringify(systemPrompt('customer')));
    expect(systemPromptText('customer')).not.toBe(systemPromptText('anonymous'));
    expect(systemPromptText('anonymous')).toMatch(/NOT verified/);
    expect(systemPromptText('customer')).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  it('states the support policy', () => {
    const p = systemPromptText('customer');
    for (const rule of [/explicit "yes"/, /staff approval/i, /Never invent account facts/, /cite the article by its title/, /Never ask for, accept, or repeat a password/, /hand off to a human/]) expect(p).toMatch(rule);
  });
});
