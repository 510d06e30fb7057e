export { createTerminalChannel, TERMINAL_STAFF_ID, type TerminalChannel, type TerminalChannelOptions } from './terminal-channel.js';
export { parseCommand, HELP, type Command } from './commands.js';
