import Anthropic from '@anthropic-ai/sdk';
import type { Config } from '../config/config.js';
import { AppError } from '../errors.js';
import type { ModelPort, ModelRequest, ModelResponse, ModelTool, TextBlock } from './model.js';

const EPHEMERAL = { type: 'ephemeral' } as const;

/** Cache breakpoints: the last tool and the last system block (both byte-stable across turns). */
export function withCacheBreakpoints(req: ModelRequest): { system: TextBlock[]; tools: ModelTool[] } {
  const system = req.system.map((b, i) => (i === req.system.length - 1 ? { ...b, cache_control: EPHEMERAL } : b));
  const tools = req.tools.map((t, i) => (i === req.tools.length - 1 ? { ...t, cache_control: EPHEMERAL } : t));
  return { system, tools };
}

/** Map an SDK failure (after the SDK's own retries) to an AppError. */
export function mapModelError(err: unknown, signal?: AbortSignal): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof Anthropic.APIUserAbortError || signal?.aborted) {
    return new AppError('timeout', 'The model call was cancelled (turn deadline reached)', undefined, { cause: err });
  }
  if (err instanceof Anthropic.APIConnectionError) {
    // includes APIConnectionTimeoutError
    return new AppError('unavailable', 'The model could not be reached in time', { kind: err.name }, { cause: err });
  }
  if (err instanceof Anthropic.APIError) {
    const status = err.status;
    if (status === 429 || status === 529 || status === 408 || (typeof status === 'number' && status >= 500)) {
      return new AppError('unavailable', `The model is unavailable (HTTP ${status})`, { status }, { cause: err });
    }
    return new AppError('model_error', `The model rejected the request (HTTP ${status ?? 'unknown'})`, { status }, { cause: err });
  }
  return new AppError('model_error', 'The model call failed', undefined, { cause: err });
}

/** Claude through the official SDK: explicit timeout + retry budget, prompt caching, model from config. */
export function createClaudeModel(cfg: Config['anthropic']): ModelPort {
  if (!cfg.apiKey) throw new AppError('config', 'ANTHROPIC_API_KEY is required for the Claude model', { variables: ['ANTHROPIC_API_KEY'] });
  const client = new Anthropic({
    apiKey: cfg.apiKey,
    baseURL: cfg.baseURL ?? null,
    timeout: cfg.timeoutMs,
    maxRetries: cfg.maxRetries,
  });
  return {
    name: `Claude (${cfg.model})`,
    async createMessage(req, opts): Promise<ModelResponse> {
      const { system, tools } = withCacheBreakpoints(req);
      const body = {
        model: cfg.model,
        max_tokens: req.max_tokens,
        system,
        messages: req.messages,
        ...(tools.length ? { tools } : {}),
      } as unknown as Anthropic.MessageCreateParamsNonStreaming;
      try {
        const msg = await client.messages.create(body, { signal: opts?.signal ?? null });
        return {
          content: msg.content as unknown as ModelResponse['content'],
          stop_reason: msg.stop_reason,
          usage: {
            input_tokens: msg.usage.input_tokens ?? 0,
            output_tokens: msg.usage.output_tokens ?? 0,
            cache_read_input_tokens: msg.usage.cache_read_input_tokens ?? 0,
            cache_creation_input_tokens: msg.usage.cache_creation_input_tokens ?? 0,
          },
        };
      } catch (err) {
        throw mapModelError(err, opts?.signal);
      }
    },
  };
}
