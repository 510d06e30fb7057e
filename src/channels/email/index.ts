export { createEmailChannel, type EmailChannel, type EmailChannelDeps, type EmailChannelStatus, type EmailChannelTuning } from './email-channel.js';
export { recentDecisions, readSync, type LedgerEntry, type SyncState } from './email-state.js';
export { createThreadLookup } from './email-thread-lookup.js';
export { analyzeEmail, type AnalyzeOptions, type EmailAnalysis, type ThreadLookup } from './analyze.js';
