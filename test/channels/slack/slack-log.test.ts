import { describe, expect, it } from 'vitest';
import { slackLogText } from '../../../src/channels/slack/slack-client.js';

describe('Bolt log lines', () => {
  it('blank Slack tokens and bearer credentials, keep the rest', () => {
    const line = slackLogText([
      'http request body:',
      { token: 'xoxb-1234-5678-AbCdEf', channel: 'C0GEN' },
      'app token xapp-1-A0B1-99-ffee',
      'Authorization: Bearer xoxp-abc.def',
      new Error('invalid_auth for xoxe.xoxp-1-zzz'),
    ]);
    expect(line).not.toMatch(/xox[a-z]-|xapp-|AbCdEf|abc\.def/);
    expect(line).toContain('"channel":"C0GEN"');
    expect(line).toContain('http request body:');
    expect(line.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('caps a line at 500 characters', () => {
    expect(slackLogText(['x'.repeat(2000)])).toHaveLength(500);
  });
});
