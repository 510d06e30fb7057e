import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/channels/terminal/commands.js';

describe('terminal command line', () => {
  it.each([
    ['user cus_001', { kind: 'user', who: 'cus_001' }],
    ['  USER ada@example.com ', { kind: 'user', who: 'ada@example.com' }],
    ['reset', { kind: 'reset' }],
    ['staff', { kind: 'staff' }],
    ['help', { kind: 'help' }],
    ['quit', { kind: 'quit' }],
    ['exit', { kind: 'quit' }],
    ['', { kind: 'empty' }],
    ['approve apr_1a2b', { kind: 'decide', decision: 'approve', approvalId: 'apr_1a2b', note: undefined }],
    ['deny apr_1a2b looks like fraud', { kind: 'decide', decision: 'deny', approvalId: 'apr_1a2b', note: 'looks like fraud' }],
    ['confirm adr_1a2b3c', { kind: 'confirm', changeId: 'adr_1a2b3c' }],
    ['ticket t-1001', { kind: 'ticket', ticketId: 'T-1001' }],
    ['reply T-1001 We fixed it.', { kind: 'respond', ticketId: 'T-1001', visibility: 'public', text: 'We fixed it.' }],
    ['note T-1001 rang them', { kind: 'respond', ticketId: 'T-1001', visibility: 'internal', text: 'rang them' }],
  ])('%j is a command', (line, expected) => {
    expect(parseCommand(line)).toEqual(expected);
  });

  it.each([
    'user is locked out of the app',
    'reset my password please',
    'staff were rude to me',
    'deny my request',
    'help me with my card',
    'what is my balance?',
    'confirm',
    'confirm it please',
    'confirm 4242',
    'reply to me please',
    'note that my card is lost',
    'ticket please',
    'ticket T-1001 is still open?',
  ])('%j is a message to the assistant', (line) => {
    expect(parseCommand(line)).toEqual({ kind: 'message', text: line });
  });

  it('asks for the missing argument', () => {
    expect(parseCommand('user')).toMatchObject({ kind: 'usage' });
    expect(parseCommand('approve')).toMatchObject({ kind: 'usage' });
    expect(parseCommand('reply T-1001')).toMatchObject({ kind: 'usage' });
  });
});
