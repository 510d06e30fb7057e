/**
 * The model port: one "create a message" call in Anthropic Messages API shapes.
 * Two adapters implement it: Claude (`claude-model.ts`) and the offline assistant (`offline/`).
 */

export type CacheControl = { type: 'ephemeral' };

export type TextBlock = { type: 'text'; text: string; cache_control?: CacheControl };
export type ToolUseBlock = { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };
export type ToolResultBlock = { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean };
/** Any other block the API may send (thinking, server tool use...): kept and sent back verbatim. */
export type OtherBlock = { type: string; [key: string]: unknown };
export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock | OtherBlock;

export type ModelMessage = { role: 'user' | 'assistant'; content: ContentBlock[] };

export type ModelTool = { name: string; description?: string; input_schema: Record<string, unknown>; cache_control?: CacheControl };

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

export interface ModelRequest {
  system: TextBlock[];
  tools: ModelTool[];
  messages: ModelMessage[];
  max_tokens: number;
}

export interface ModelUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null | undefined;
  cache_creation_input_tokens?: number | null | undefined;
}

export interface ModelResponse {
  content: ContentBlock[];
  stop_reason: StopReason | string | null;
  usage: ModelUsage;
}

/**
 * What a model call reports while the model writes: `text` is a piece of the text block at `index` of the response
 * (in order; the pieces of one block joined are its text); `restart` says the call is being tried again after
 * partial output (a 529/429 mid-stream), so every piece reported so far for this call is void.
 */
export type ModelStreamEvent = { type: 'text'; index: number; text: string } | { type: 'restart' };

export interface ModelCallOptions {
  signal?: AbortSignal | undefined;
  /** Told about text as the model writes it (never required: the resolved response is the whole answer). */
  onEvent?: ((event: ModelStreamEvent) => void) | undefined;
}

export interface ModelPort {
  /** Human-readable name shown on start ("Claude (model-id)", "Helpline offline assistant"). */
  readonly name: string;
  /**
   * Throws AppError('unavailable') when the model is out past its retry budget (429/529/5xx/timeouts),
   * AppError('timeout') when `signal` aborted the call, AppError('model_error') for anything else.
   */
  createMessage(req: ModelRequest, opts?: ModelCallOptions): Promise<ModelResponse>;
}

export function isTextBlock(b: ContentBlock): b is TextBlock {
  return b.type === 'text' && typeof (b as TextBlock).text === 'string';
}
export function isToolUseBlock(b: ContentBlock): b is ToolUseBlock {
  return b.type === 'tool_use' && typeof (b as ToolUseBlock).id === 'string';
}
export function isToolResultBlock(b: ContentBlock): b is ToolResultBlock {
  return b.type === 'tool_result' && typeof (b as ToolResultBlock).tool_use_id === 'string';
}

/** The text of a list of blocks, joined. */
export function textOf(blocks: readonly ContentBlock[]): string {
  return blocks.filter(isTextBlock).map((b) => b.text).join('\n').trim();
}

/** Pieces of `text` of at most about `size` characters, cut after whitespace where possible (offline streaming, tests). */
export function textPieces(text: string, size = 24): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > size) {
    const cut = rest.slice(0, size).search(/\s\S*$/u);
    const at = cut > 0 ? cut + 1 : size;
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  if (rest) pieces.push(rest);
  return pieces;
}
