/** The terminal chat's command line: a few words are commands, everything else is a message to the bot. */
export type Command =
  | { kind: 'user'; who: string }
  | { kind: 'reset' }
  | { kind: 'staff' }
  | { kind: 'decide'; decision: 'approve' | 'deny'; approvalId: string; note?: string | undefined }
  | { kind: 'confirm'; changeId: string }
  | { kind: 'ticket'; ticketId: string }
  | { kind: 'respond'; ticketId: string; visibility: 'public' | 'internal'; text: string }
  | { kind: 'help' }
  | { kind: 'quit' }
  | { kind: 'empty' }
  | { kind: 'usage'; text: string }
  | { kind: 'message'; text: string };

export const HELP = [
  'Commands:',
  '  user <customer id or email>   chat as that customer (e.g. user cus_001)',
  '  reset                         start a new conversation thread',
  '  staff                         list approvals waiting for a staff decision',
  '  approve <id> [note]           approve a pending request, as the local staff operator',
  '  deny <id> [note]              deny a pending request',
  '  confirm <change id>           confirm your pending address change, as the current customer',
  '  ticket <T-id>                 show a ticket with its messages and their delivery, as the local staff operator',
  '  reply <T-id> <text>           public reply on a ticket: sent to the customer on their channel',
  '  note <T-id> <text>            internal note on a ticket: staff only, never sent to the customer',
  '  help                          this list',
  '  quit                          leave (end of input works too)',
  'Anything else is sent to the assistant as the current customer.',
].join('\n');

export function parseCommand(line: string): Command {
  const text = line.trim();
  if (text === '') return { kind: 'empty' };
  const [head = '', ...rest] = text.split(/\s+/);
  const word = head.toLowerCase();
  const arg = rest.join(' ');
  switch (word) {
    case 'user':
      // "user" alone is a usage error; "user is locked out…" style sentences are messages.
      if (rest.length === 1) return { kind: 'user', who: arg };
      if (rest.length === 0) return { kind: 'usage', text: 'Usage: user <customer id or email>' };
      return { kind: 'message', text };
    case 'reset':
    case 'staff':
    case 'help':
      return rest.length === 0 ? { kind: word } : { kind: 'message', text };
    case 'quit':
    case 'exit':
      return rest.length === 0 ? { kind: 'quit' } : { kind: 'message', text };
    case 'approve':
    case 'deny': {
      const [id, ...note] = rest;
      if (!id) return { kind: 'usage', text: `Usage: ${word} <approval id> [note]` };
      // Only an id-looking token makes it a command ("deny my request" is a message).
      if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(id) || !/[\d_]/.test(id)) return { kind: 'message', text };
      return { kind: 'decide', decision: word, approvalId: id, note: note.length ? note.join(' ') : undefined };
    }
    case 'confirm':
      // Only "confirm <id>" (ids look like adr_3f9c…) is the command; "confirm", "confirm it" are answers to the assistant.
      return rest.length === 1 && /^[A-Za-z]+_[A-Za-z0-9]+$/.test(arg) ? { kind: 'confirm', changeId: arg } : { kind: 'message', text };
    case 'ticket':
    case 'reply':
    case 'note': {
      // Only with a ticket id next ("reply T-1001 …") is it a command: "note that my card…" is a message.
      const id = rest[0] ?? '';
      if (!/^T-\d{1,9}$/i.test(id)) return { kind: 'message', text };
      const body = rest.slice(1).join(' ');
      if (word === 'ticket') return rest.length === 1 ? { kind: 'ticket', ticketId: id.toUpperCase() } : { kind: 'message', text };
      if (!body) return { kind: 'usage', text: `Usage: ${word} <ticket id> <text>` };
      return { kind: 'respond', ticketId: id.toUpperCase(), visibility: word === 'reply' ? 'public' : 'internal', text: body };
    }
    default:
      return { kind: 'message', text };
  }
}
