/**
 * The Helpline offline assistant: a deterministic, rule-based responder behind the same model port as Claude.
 * It reads the conversation, asks for the same MCP tools (tool_use) and turns their results into replies.
 * Used when no API key is set, and as a second model in tests.
 */
import { AppError } from '../errors.js';
import { isToolResultBlock, isToolUseBlock, type ModelMessage, type ModelPort, type ModelRequest, type ModelResponse, type ToolResultBlock } from './model.js';
import { say } from './offline-actions.js';
import { decide } from './offline-decide.js';
import { detectIntent } from './offline-intents.js';
import { customerText, latestCustomerText } from './offline-reading.js';
import { errorReply, parseToolContent, successReply } from './offline-replies.js';
import { INTRO, OFFLINE_MODEL_NAME } from './offline-texts.js';

export { OFFLINE_MODEL_NAME } from './offline-texts.js';

export function createOfflineModel(): ModelPort {
  return {
    name: OFFLINE_MODEL_NAME,
    async createMessage(req: ModelRequest, opts): Promise<ModelResponse> {
      if (opts?.signal?.aborted) throw new AppError('timeout', 'The turn deadline passed');
      return respond(req);
    },
  };
}

function respond(req: ModelRequest): ModelResponse {
  const msgs = req.messages;
  const last = msgs[msgs.length - 1];
  if (last?.role !== 'user') return say(INTRO);
  const results = last.content.filter(isToolResultBlock);
  if (results.length) return afterTools(msgs, results);
  return decide(customerText(last), msgs, new Set(req.tools.map((t) => t.name)));
}

/** Replies from the results of the tools the assistant asked for, read in the light of the customer's request. */
function afterTools(msgs: ModelMessage[], results: ToolResultBlock[]): ModelResponse {
  const assistant = msgs[msgs.length - 2];
  const uses = new Map((assistant?.content ?? []).filter(isToolUseBlock).map((u) => [u.id, u]));
  const intent = detectIntent(latestCustomerText(msgs)).kind;
  const replies = results.map((r) => {
    const use = uses.get(r.tool_use_id);
    const { text, data } = parseToolContent(r.content);
    if (!use) return 'That earlier request was interrupted, so I did not repeat it. Please check and ask again if needed.';
    if (r.is_error) return errorReply(use.name, text);
    return successReply(use.name, data ?? {}, use.input, intent);
  });
  return say(replies.join('\n\n'));
}
