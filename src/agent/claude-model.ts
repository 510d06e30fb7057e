import Anthropic from '@anthropic-ai/sdk';
import type { Config } from '../config/config.js';
import { AppError } from '../errors.js';
import type { ModelCallOptions, ModelPort, ModelRequest, ModelResponse, ModelTool, TextBlock } from './model.js';

const EPHEMERAL = { type: 'ephemeral' } as const;

/** Cache breakpoints: the last tool and the last system block (both byte-stable across turns). */
export function withCacheBreakpoints(req: ModelRequest): { system: TextBlock[]; tools: ModelTool[] } {
  const system = req.system.map((b, i) => (i === req.system.length - 1 ? { ...b, cache_control: EPHEMERAL } : b));
  const tools = req.tools.map((t, i) => (i === req.tools.length - 1 ? { ...t, cache_control: EPHEMERAL } : t));
  return { system, tools };
}

/** An `event: error` inside a stream (no HTTP status: the 200 had begun) where a call would otherwise get a 429/529/500. */
function isMidStreamOutage(err: unknown): err is InstanceType<typeof Anthropic.APIError> {
  return err instanceof Anthropic.APIError && err.status === undefined && ['overloaded_error', 'rate_limit_error', 'api_error'].includes(String(err.type));
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
  if (isMidStreamOutage(err)) {
    return new AppError('unavailable', `The model is unavailable (${String(err.type)} while streaming)`, { type: err.type }, { cause: err });
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

function toResponse(msg: Anthropic.Message): ModelResponse {
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
}

export interface ClaudeModelOptions {
  /** Pause before trying again after an error in the middle of a stream; the n-th retry waits n times as long (default 500). */
  midStreamRetryMs?: number | undefined;
}

/**
 * Claude through the official SDK: explicit timeout + retry budget, prompt caching, model from config. Every call
 * streams (`messages.stream`): text goes to `onEvent` as Claude writes it, and the call resolves with the same whole
 * message a non-streaming call returns. A 429/529 before the stream begins is retried by the SDK (`maxRetries`); an
 * overloaded or rate-limit error in the middle of a stream is retried here, up to `maxRetries` times, after telling
 * the listener `restart` when it had been given text (so no text reaches it twice).
 */
export function createClaudeModel(cfg: Config['anthropic'], opts: ClaudeModelOptions = {}): ModelPort {
  if (!cfg.apiKey) throw new AppError('config', 'ANTHROPIC_API_KEY is required for the Claude model', { variables: ['ANTHROPIC_API_KEY'] });
  const client = new Anthropic({
    apiKey: cfg.apiKey,
    baseURL: cfg.baseURL ?? null,
    timeout: cfg.timeoutMs,
    maxRetries: cfg.maxRetries,
  });

  /** One streamed attempt; `wrote` tells the caller whether the listener was given text before a failure. */
  async function attempt(body: Anthropic.MessageStreamParams, call: ModelCallOptions | undefined, wrote: { text: boolean }): Promise<ModelResponse> {
    const stream = client.messages.stream(body, { signal: call?.signal ?? null });
    const onEvent = call?.onEvent;
    if (onEvent) {
      stream.on('streamEvent', (ev) => {
        if (ev.type !== 'content_block_delta' || ev.delta.type !== 'text_delta') return;
        wrote.text = true;
        onEvent({ type: 'text', index: ev.index, text: ev.delta.text });
      });
    }
    return toResponse(await stream.finalMessage());
  }

  return {
    name: `Claude (${cfg.model})`,
    async createMessage(req, call?: ModelCallOptions): Promise<ModelResponse> {
      const { system, tools } = withCacheBreakpoints(req);
      const body = {
        model: cfg.model,
        max_tokens: req.max_tokens,
        system,
        messages: req.messages,
        ...(tools.length ? { tools } : {}),
      } as unknown as Anthropic.MessageStreamParams;
      for (let n = 1; ; n++) {
        const wrote = { text: false };
        try {
          return await attempt(body, call, wrote);
        } catch (err) {
          if (!isMidStreamOutage(err) || n > cfg.maxRetries || call?.signal?.aborted) throw mapModelError(err, call?.signal);
          if (wrote.text) call?.onEvent?.({ type: 'restart' });
          await new Promise((r) => setTimeout(r, (opts.midStreamRetryMs ?? 500) * n));
        }
      }
    },
  };
}
