export type { Agent, ToolClient, Transcript, TranscriptPort, TranscriptUsage, TurnEvent, TurnInput, TurnListener, TurnResult } from './types.js';
export type { ContentBlock, ModelCallOptions, ModelMessage, ModelPort, ModelStreamEvent, ModelRequest, ModelResponse, ModelTool, ModelUsage, StopReason, TextBlock, ToolResultBlock, ToolUseBlock } from './model.js';
export { createAgent, type AgentDeps } from './agent.js';
export { createClaudeModel } from './claude-model.js';
export { createOfflineModel, OFFLINE_MODEL_NAME } from './offline/index.js';
export { systemPrompt, systemPromptText } from './system-prompt.js';
export { NOTICE_PREFIX, INTERRUPTED } from './transcript.js';
