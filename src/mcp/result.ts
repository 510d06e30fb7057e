import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ZodError } from 'zod';
import { isAppError } from '../errors.js';
import type { Logger } from '../config/logger.js';
import { issuesOf, TOOL_ERROR_META, type ToolFailure } from './tool-failure.js';

const MAX_TEXT = 4_000;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

const MAX_DEPTH = 64;

/**
 * A deep copy with JSON semantics (undefined properties dropped, `toJSON` honoured), so an in-process
 * client gets exactly what a stdio client would, and can never hold a live reference into the store.
 * About 4x cheaper than structuredClone for the small records tools return.
 */
export function detach(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (depth > MAX_DEPTH) throw new Error('tool result nested too deeply');
  const json = (value as { toJSON?: unknown }).toJSON;
  if (typeof json === 'function') return detach(json.call(value), depth + 1);
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = detach(value[i], depth + 1) ?? null;
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = detach((value as Record<string, unknown>)[key], depth + 1);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** A successful tool result: a detached copy of `value` as structuredContent plus a short text rendering. */
export function okResult(value: object, text: string): CallToolResult {
  return {
    structuredContent: detach(value) as Record<string, unknown>,
    content: [{ type: 'text', text: clip(text) }],
  };
}

export function zodMessage(err: ZodError): string {
  return err.issues
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * A failed tool result saying what was wrong. Unexpected errors are logged and reported without internals. The text
 * is for a model; code reads the same failure typed from `_meta` (TOOL_ERROR_META: code, message, field issues).
 */
export function errorResult(err: unknown, tool: string, log?: Logger): CallToolResult {
  let failure: ToolFailure;
  if (isAppError(err)) {
    failure = { code: err.code, message: err.message, issues: [] };
  } else if (err instanceof ZodError) {
    failure = { code: 'bad_input', message: zodMessage(err), issues: issuesOf(err) };
  } else {
    log?.error({ err, tool }, 'tool failed unexpectedly');
    failure = { code: 'internal', message: 'an unexpected error occurred. Try again later, or open a ticket so a person follows up.', issues: [] };
  }
  const text = `${tool} failed (${failure.code}): ${failure.message}`;
  return { isError: true, content: [{ type: 'text', text: clip(text) }], _meta: { [TOOL_ERROR_META]: { ...failure, message: clip(failure.message) } } };
}

/** An isError result for a request rejected before it reached a tool. */
export function rejectedResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: clip(text) }] };
}
