import { describe, expect, it } from 'vitest';
import { systemPrompt, systemPromptText } from '../../src/agent/system-prompt.js';

describe('system prompt', () => {
  it('is byte-stable per caller kind and differs between kinds', () => {
    expect(JSON.stringify(systemPrompt('customer'))).toBe(JSON.stringify(systemPrompt('customer')));
    expect(systemPromptText('customer')).not.toBe(systemPromptText('anonymous'));
    expect(systemPromptText('anonymous')).toMatch(/NOT verified/);
    expect(systemPromptText('customer')).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  it('steers a lost or stolen card to the instant freeze first, then the deactivation that needs staff', () => {
    const p = systemPromptText('customer');
    const freeze = p.indexOf('first offer to freeze it with freeze_card');
    expect(freeze).toBeGreaterThan(0);
    expect(p.indexOf('Then offer the permanent deactivation (request_card_deactivation)')).toBeGreaterThan(freeze);
    expect(systemPromptText('anonymous')).not.toContain('freeze_card');
  });

  it('states the support policy', () => {
    const p = systemPromptText('customer');
    for (const rule of [/explicit "yes"/, /staff approval/i, /Never invent account facts/, /cite the article by its title/, /Never ask for, accept, or repeat a password/, /hand off to a human/]) expect(p).toMatch(rule);
  });
});
