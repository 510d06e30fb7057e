/** Helpline as a library: `import { createHelpline } from 'helpline'` (package.json `exports`). */
export { createHelpline, type Helpline } from './helpline.js';
export type { HelplineOptions } from './options.js';
export type { ChatReply, HelplineSession, PendingApproval } from './session.js';
export type { HistoryEntry } from '../channels/web/index.js';
export { AppError, isAppError, type ErrorCode } from '../errors.js';
