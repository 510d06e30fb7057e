import { typedTools, type ToolsFor } from '../mcp/index.js';
import type { Caller, RequestContext } from '../support/caller.js';
import type { ConnectTools } from './types.js';

/**
 * Opens a tool session for `caller`, gives `fn` the typed tools of the caller's kind (see mcp/typed-client.ts) and
 * always closes the session. For code-driven calls (staff surfaces, channels), never for a model's.
 */
export async function withTools<C extends Caller, R>(connect: ConnectTools, caller: C, ctx: RequestContext, fn: (tools: ToolsFor<C['kind']>) => Promise<R>): Promise<R> {
  const session = await connect(caller, ctx);
  try {
    return await fn(typedTools<C['kind']>(session.client, caller.kind));
  } finally {
    await session.close().catch(() => undefined);
  }
}
