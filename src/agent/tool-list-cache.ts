import type { ModelTool } from './model.js';
import { listModelTools } from './tools.js';
import type { ToolClient } from './types.js';

/** The model tool list of each tool session, fetched once per client; a failed fetch is tried again next time. */
export function createToolListCache(): (client: ToolClient) => Promise<ModelTool[]> {
  const lists = new WeakMap<ToolClient, Promise<ModelTool[]>>();
  return (client) => {
    let p = lists.get(client);
    if (!p) {
      p = listModelTools(client);
      lists.set(client, p);
      p.catch(() => lists.delete(client));
    }
    return p;
  };
}
