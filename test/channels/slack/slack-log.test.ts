import { describe, expect, it } from 'vitest';
import { slackLogText } from '../../../src/channels/slack/slack-client.js';

describe('Bolt / Web API / socket client log lines', () => {
  it('keep what happened, never what was sent: bodies, results, frames and objects are dropped', () => {
    const lines = [
      slackLogText(['http request body: {"channel":"D0CUST","text":"Your balance is £1,234.56","token":"xoxb-1-2-AbC"}']),
      slackLogText(['http request result: {"ok":true,"user":{"profile":{"email":"ada@example.com"}}}']),
      slackLogText(['Received a message on the WebSocket: {"envelope_id":"e1","payload":{"event":{"text":"my card 4242"}}}']),
      slackLogText(['Sending a WebSocket message: {"envelope_id":"e1","payload":{}}']),
      slackLogText(['Calling ack() - type: events_api, envelope_id: e1, data: {"text":"private"}']),
      slackLogText(['Unable to parse an incoming WebSocket message (will ignore): SyntaxError: bad, my secret words']),
      slackLogText(['http request failed', { config: { data: 'text=private' } }]),
      slackLogText(['An API error occurred', new Error('invalid_auth for xoxe.xoxp-1-zzz')]),
    ];
    const all = lines.join('\n');
    for (const secret of ['£1,234.56', 'balance', 'ada@example.com', 'my card 4242', 'private', 'secret words', 'xoxb-', 'xoxp-', 'AbC']) {
      expect(all).not.toContain(secret);
    }
    expect(lines[0]).toBe('http request body: [payload omitted]');
    expect(lines[4]).toBe('Calling ack() - type: events_api, envelope_id: e1, data: [payload omitted]');
    expect(lines[6]).toBe('http request failed [payload omitted]');
    expect(lines[7]).toContain('invalid_auth');
  });

  it('keeps the method and status lines, without query strings, tokens or email addresses', () => {
    expect(slackLogText(["apiCall('chat.postMessage') start"])).toBe("apiCall('chat.postMessage') start");
    expect(slackLogText(['http request url: https://slack.com/api/users.info?user=U1&token=xoxb-1'])).toBe('http request url: https://slack.com/api/users.info');
    expect(slackLogText(['API Call failed due to rate limiting. Will retry in 3 seconds.'])).toContain('Will retry in 3 seconds');
    expect(slackLogText(['user bob.smith@corp.example not found, Bearer abc.def'])).toBe('user [email] not found, [redacted]');
  });

  it('caps a line at 300 characters', () => {
    expect(slackLogText(['x'.repeat(2000)])).toHaveLength(300);
  });
});
