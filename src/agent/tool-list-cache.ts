import { listModelTools, type ModelToolList } from './tools.js';
import type { ToolClient } from './types.js';

/**
 * The model tool list, fetched once per key and reused. The key is the caller kind: the MCP server registers
 * tools by caller kind only (customer, staff, anonymous), so every session of a kind lists the same tools, and
 * listing them (zod → JSON Schema for every tool) is the costliest part of opening a turn's session. Reusing the
 * list also keeps it byte-identical across turns for prompt caching. A failed fetch is tried again next time.
 */
export function createToolListCache(): (client: ToolClient, key: string) => Promise<ModelToolList> {
  const lists = new Map<string, Promise<ModelToolList>>();
  return (client, key) => {
    let p = lists.get(key);
    if (!p) {
      p = listModelTools(client);
      lists.set(key, p);
      p.catch(() => lists.delete(key));
    }
    return p;
  };
}
