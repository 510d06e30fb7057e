export { createConversations, type Conversations, type ConversationsDeps } from './conversations.js';
export { createTranscripts, capMessages, type TranscriptsOptions } from './transcripts.js';
export { redactSecrets, secretWarning, CARD_PLACEHOLDER, PASSWORD_PLACEHOLDER, type Redacted, type RedactionKind } from './redact.js';
export { REPLIES } from './replies.js';
export type * from './types.js';
export { createStaffFanout } from './staff-fanout.js';
