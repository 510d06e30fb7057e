/**
 * The composition's one late-binding point: conversations, support and the email channel get the channels' ports
 * before the channels exist; they work only once bound, exactly once, to what the channel wiring returned.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/config/logger.js';
import { createMemoryRepositories } from '../../src/store/memory/index.js';
import { createLateChannels } from '../../src/wiring/channel-ports.js';
import type { WiredChannel } from '../../src/wiring/wired.js';
import { recordingDelivery, recordingStaff } from '../conversations/fakes.js';

const config = loadConfig({ LOG_LEVEL: 'silent', SLACK_STAFF_USER_IDS: 'U0STAFF0001' });
const idle = { start() {}, stop() {} };

function channel(name: WiredChannel['name'], over: Partial<WiredChannel> = {}): WiredChannel {
  return { name, ...idle, ...over };
}

describe('late channel ports', () => {
  it('refuses every use before the channels are bound', async () => {
    const late = createLateChannels(config, silentLogger());
    expect(() => late.delivery('slack')).toThrow(expect.objectContaining({ code: 'internal' }));
    expect(() => late.resolver('email')).toThrow(expect.objectContaining({ code: 'internal' }));
    expect(() => late.isStaff('U0STAFF0001')).toThrow(expect.objectContaining({ code: 'internal' }));
    await expect(late.staff.alert('x')).rejects.toMatchObject({ code: 'internal' });
  });

  it('routes by what each channel returned, and cannot be bound a second time', async () => {
    const late = createLateChannels(config, silentLogger());
    const slack = recordingDelivery();
    const email = recordingDelivery();
    const resolver = { resolve: async () => ({ kind: 'anonymous' as const }) };
    const slackStaff = recordingStaff();
    const termStaff = recordingStaff();
    const channels = [
      channel('slack', { deliver: slack, staffNotifier: slackStaff, isStaff: (id) => id === 'UGROUP' }),
      channel('email', { deliver: email, resolver }),
      channel('http'),
      channel('terminal', { staffNotifier: termStaff, isStaff: (id) => id === 'terminal-operator' }),
    ];
    late.bind(channels);
    expect(() => late.bind(channels)).toThrow(expect.objectContaining({ code: 'internal' }));

    expect(late.delivery('slack')).toBe(slack);
    expect(late.delivery('email')).toBe(email);
    expect(late.delivery('terminal')).toBeUndefined();
    expect(late.delivery('constructor')).toBeUndefined();
    expect(late.resolver('email')).toBe(resolver);
    expect(late.resolver('slack')).toBeUndefined();

    // Configured staff, and whoever a channel vouches for; nobody else.
    expect(['U0STAFF0001', 'UGROUP', 'terminal-operator', 'U0CUSTOMER'].map((id) => late.isStaff(id))).toEqual([true, true, true, false]);

    // Every staff-facing channel is told, even when one of them fails.
    slackStaff.alert = async () => { throw new Error('slack down'); };
    await late.staff.alert('mailbox renumbered');
    expect(termStaff.alerts).toEqual(['mailbox renumbered']);
  });
});

describe('the app, composed from what the wiring returned', () => {
  it('counts the terminal operator as staff only when the terminal chat runs, and lists the channels built', async () => {
    for (const terminal of ['always', 'never'] as const) {
      const app = await createApp(config, { log: silentLogger(), repos: createMemoryRepositories(), terminal, input: new PassThrough(), output: new PassThrough(), approvalSweepMs: 0 });
      try {
        expect(app.channels).toEqual(terminal === 'always' ? ['terminal'] : []);
        expect(app.support.isStaff({ kind: 'staff', staffId: 'terminal-operator' })).toBe(terminal === 'always');
        expect(app.support.isStaff({ kind: 'staff', staffId: 'U0STAFF0001' })).toBe(true);
        expect(app.wired).toEqual({ slack: undefined, email: undefined, http: undefined, ops: undefined });
      } finally {
        await app.stop();
      }
    }
  });
});
