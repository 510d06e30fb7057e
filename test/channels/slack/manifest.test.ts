import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The YAML list under `key:` (indented `- item` lines, comments skipped). */
function listUnder(yaml: string, key: string): string[] {
  const lines = yaml.split('\n');
  const start = lines.findIndex((l) => l.trim() === `${key}:`);
  if (start < 0) return [];
  const indent = (lines[start] ?? '').search(/\S/);
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (line.search(/\S/) <= indent) break;
    const m = /^\s*-\s+(.+?)\s*$/.exec(line);
    if (m) out.push(m[1] as string);
  }
  return out;
}

describe('manifest.yml', () => {
  const yaml = readFileSync('manifest.yml', 'utf8');

  it('asks for exactly the bot scopes the Slack channel uses', () => {
    expect(listUnder(yaml, 'bot').sort()).toEqual([
      'app_mentions:read', 'channels:history', 'chat:write', 'commands', 'groups:history', 'im:history', 'im:write',
      'reactions:write', 'usergroups:read', 'users:read', 'users:read.email',
    ]);
  });

  it('subscribes to the events the channel handles', () => {
    expect(listUnder(yaml, 'bot_events').sort()).toEqual(['app_home_opened', 'app_mention', 'message.channels', 'message.groups', 'message.im']);
  });

  it('turns on Socket Mode, interactivity, the Home and Messages tabs and the /ticket command', () => {
    expect(yaml).toMatch(/^\s+socket_mode_enabled: true$/m);
    expect(yaml).toMatch(/interactivity:\n\s+is_enabled: true/);
    expect(yaml).toMatch(/home_tab_enabled: true/);
    expect(yaml).toMatch(/messages_tab_enabled: true/);
    expect(yaml).toMatch(/- command: \/ticket/);
    expect(yaml).toMatch(/bot_user:\n\s+display_name: Helpline/);
    expect(yaml).not.toMatch(/\t/);
  });
});
