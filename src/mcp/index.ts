export { createMcpServer, toolsFor, SERVER_NAME, SERVER_VERSION, type CreateMcpServerOptions } from './server.js';
export { connectInProcess, type InProcessConnection } from './client.js';
export { defineTool, notifyHook, READ_ONLY, ADDITIVE, OVERWRITE, DESTRUCTIVE, type Audience, type ToolContext, type ToolDefinition, type ToolHooks, type ToolAnnotations } from './define-tool.js';
export { guardTransport, screenArguments } from './guard-transport.js';
export { okResult, errorResult } from './result.js';
export { toolFailureOf, TOOL_ERROR_META, type ToolFailure } from './tool-failure.js';
export { ALL_TOOLS } from './tools/index.js';
export { typedTools, type TypedTools, type ToolsFor, type ToolMap, type ToolName, type ToolInput, type ToolOutput, type CallsTools } from './typed-client.js';
