/**
 * Redaction of secrets a person types or pastes: card numbers, passwords and PINs, card security codes,
 * one-time codes, access tokens and API keys, private keys. Pure, deterministic, linear in the length of the
 * text, and idempotent (redacting redacted text changes nothing). Runs before text reaches the model, the store,
 * tickets, staff cards or the logs: in conversations for every inbound message, and in support for text that
 * arrives through tools (ticket forms, staff replies, CRM notes).
 */
export {
  CARD_PLACEHOLDER, ONE_TIME_CODE_PLACEHOLDER, PASSWORD_PLACEHOLDER, PLACEHOLDERS, PRIVATE_KEY_PLACEHOLDER, REDACTION_KINDS,
  SECURITY_CODE_PLACEHOLDER, secretWarning, TOKEN_PLACEHOLDER, type Redacted, type RedactionKind,
} from './kinds.js';
export { redactFields } from './fields.js';
export { redactSecrets } from './secrets.js';
