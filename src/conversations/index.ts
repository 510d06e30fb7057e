export { createConversations, type Conversations, type ConversationsDeps } from './conversations.js';
export { createTranscripts, capMessages, type TranscriptsOptions, type TranscriptStore } from './transcripts.js';
export {
  redactSecrets, secretWarning, CARD_PLACEHOLDER, PASSWORD_PLACEHOLDER, SECURITY_CODE_PLACEHOLDER, ONE_TIME_CODE_PLACEHOLDER,
  TOKEN_PLACEHOLDER, PRIVATE_KEY_PLACEHOLDER, REDACTION_KINDS, type Redacted, type RedactionKind,
} from './redact.js';
export { REPLIES } from './replies.js';
export type * from './types.js';
export { createStaffFanout } from './staff-fanout.js';
export { channelPorts } from './delivery.js';
export { allowedLinkDomains, createOutboundPolicy, LINK_REMOVED, type OutboundPolicy } from './outbound-policy.js';
export { createTicketReplies, deliverForStaff, replyFrame, type ReplyOutcome, type TicketReplies } from './ticket-replies.js';
export { createLeasedSweep, type LeasedSweep, type LeasedSweepDeps } from './leased-sweep.js';
