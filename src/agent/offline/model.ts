/**
 * The Helpline offline assistant: a deterministic responder behind the same model port as Claude. An nlp.js intent
 * classifier (trained from data/nlu/en.json on the first message, once per model) reads each customer message; rules
 * fill the slots and keep sensitive actions safe. It asks for the same MCP tools (tool_use) and turns their results
 * into replies. Used when no API key is set, and as a second model in tests.
 */
import { AppError, isAppError } from '../../errors.js';
import { isTextBlock, isToolResultBlock, textPieces, type ModelCallOptions, type ModelPort, type ModelRequest, type ModelResponse } from '../model.js';
import { isTool, say, useTools, type Ctx } from './actions.js';
import { afterTools } from './after-tools.js';
import { createOfflineEngine, type OfflineEngine } from './engine.js';
import { plan } from './plan.js';
import { customerText } from './reading.js';
import { INTRO, OFFLINE_MODEL_NAME } from './texts.js';

export { OFFLINE_MODEL_NAME } from './texts.js';

export function createOfflineModel(): ModelPort {
  let engine: Promise<OfflineEngine> | undefined;
  const ready = (): Promise<OfflineEngine> => {
    engine ??= createOfflineEngine().catch((err: unknown) => {
      engine = undefined;
      throw new AppError('model_error', `The offline assistant could not start: ${(err as Error).message}`, undefined, { cause: err });
    });
    return engine;
  };
  return {
    name: OFFLINE_MODEL_NAME,
    async createMessage(req, opts) {
      if (opts?.signal?.aborted) throw new AppError('timeout', 'The turn deadline passed');
      try {
        const res = await respond(req, await ready());
        if (opts?.onEvent) emitPieces(res, opts.onEvent);
        return res;
      } catch (err) {
        if (isAppError(err)) throw err;
        throw new AppError('model_error', `The offline assistant failed: ${(err as Error).message}`, undefined, { cause: err });
      }
    },
  };
}

/** The offline reply is computed at once; a listener still gets it in pieces, as a streaming model would send it. */
function emitPieces(res: ModelResponse, onEvent: NonNullable<ModelCallOptions['onEvent']>): void {
  for (const [index, block] of res.content.entries()) {
    if (!isTextBlock(block)) continue;
    for (const text of textPieces(block.text)) onEvent({ type: 'text', index, text });
  }
}

async function respond(req: ModelRequest, engine: OfflineEngine): Promise<ModelResponse> {
  const msgs = req.messages;
  const last = msgs[msgs.length - 1];
  if (last?.role !== 'user') return say(INTRO);
  const ctx: Ctx = { msgs, tools: new Set(req.tools.map((t) => t.name)), nlu: engine.nlu, address: engine.address, brands: engine.brands };
  if (last.content.some(isToolResultBlock)) return afterTools(ctx);
  if (!customerText(last)) return say(INTRO);
  const steps = await plan(ctx);
  const tools = steps.filter(isTool);
  return tools.length ? useTools(msgs, tools) : say(steps.map((s) => (isTool(s) ? '' : s.text)).join('\n\n'));
}
