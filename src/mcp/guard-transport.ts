/**
 * Wraps a server-side transport so every `tools/call` is screened BEFORE the SDK parses it.
 *
 * Why: the SDK's request parsing silently drops an own `__proto__` key from `arguments` (so a strict
 * input schema never sees it), and `arguments` that are not an object make the SDK answer with a
 * protocol error instead of a tool result. Here such calls are answered directly with an `isError`
 * tool result that says what was wrong, and never reach a tool.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { rejectedResult } from './result.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_NODES = 10_000;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Returns what is wrong with a tool call's raw `arguments`, or undefined when it may go on. */
export function screenArguments(args: unknown): string | undefined {
  if (args === undefined) return undefined;
  if (!isPlainObject(args)) return `arguments must be a JSON object, got ${Array.isArray(args) ? 'an array' : args === null ? 'null' : typeof args}`;
  const stack: unknown[] = [args];
  let nodes = 0;
  while (stack.length) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (!Array.isArray(node) && !isPlainObject(node)) return 'arguments may only contain plain JSON values';
    for (const key of Object.keys(node)) {
      if (++nodes > MAX_NODES) return 'arguments are too large';
      if (FORBIDDEN_KEYS.has(key)) return `the key "${key}" is not allowed`;
      stack.push((node as Record<string, unknown>)[key]);
    }
  }
  return undefined;
}

interface RawRequest { jsonrpc: '2.0'; id: string | number; method: string; params?: { name?: unknown; arguments?: unknown } }

function asToolCall(message: JSONRPCMessage): RawRequest | undefined {
  const m = message as Partial<RawRequest>;
  return m.method === 'tools/call' && m.id !== undefined && m.id !== null ? (m as RawRequest) : undefined;
}

export function guardTransport(inner: Transport): Transport {
  const guarded: Transport = {
    start: () => inner.start(),
    send: (message, options) => inner.send(message, options),
    close: () => inner.close(),
    get sessionId() { return inner.sessionId; },
    get onclose() { return inner.onclose; },
    set onclose(fn) { inner.onclose = fn; },
    get onerror() { return inner.onerror; },
    set onerror(fn) { inner.onerror = fn; },
    get onmessage() { return inner.onmessage; },
    set onmessage(handler) {
      if (!handler) {
        inner.onmessage = handler;
        return;
      }
      inner.onmessage = (message, extra) => {
        const call = asToolCall(message);
        const problem = call ? screenArguments(call.params?.arguments) : undefined;
        if (call && problem) {
          const name = typeof call.params?.name === 'string' ? call.params.name.slice(0, 100) : 'unknown';
          const reply = { jsonrpc: '2.0', id: call.id, result: rejectedResult(`Invalid arguments for tool ${name}: ${problem}`) } as JSONRPCMessage;
          inner.send(reply).catch((err: unknown) => inner.onerror?.(err instanceof Error ? err : new Error(String(err))));
          return;
        }
        handler(message, extra);
      };
    },
  };
  if (inner.setProtocolVersion) guarded.setProtocolVersion = (v) => inner.setProtocolVersion?.(v);
  return guarded;
}
