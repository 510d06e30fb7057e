import type { ToolResultBlock, ToolUseBlock } from './model.js';

/**
 * Bounds on how many tool calls a model may have run: per response and per turn. A call past either bound is
 * not run; the model gets an error result saying so (and may answer with what it has), and the turn counts it
 * as refused. One response asking for 150 `create_ticket` calls runs the first few, never 150.
 */
export interface ToolBudgetLimits {
  perResponse: number;
  perTurn: number;
}

export const DEFAULT_TOOL_LIMITS: ToolBudgetLimits = { perResponse: 8, perTurn: 24 };

export interface ToolBudget {
  /** For one response's calls, in order: `undefined` = run it, else the refusal to return instead. */
  admit(uses: ToolUseBlock[]): Array<ToolResultBlock | undefined>;
  /** Calls refused so far this turn. */
  refused(): number;
}

export function createToolBudget(limits: ToolBudgetLimits): ToolBudget {
  let ran = 0;
  let refused = 0;
  const refusal = (use: ToolUseBlock, why: string): ToolResultBlock => {
    refused++;
    return { type: 'tool_result', tool_use_id: use.id, is_error: true, content: `Not run: ${why}. Answer with what you have, or ask the customer to narrow the request.` };
  };
  return {
    admit(uses) {
      return uses.map((use, i) => {
        if (i >= limits.perResponse) return refusal(use, `at most ${limits.perResponse} tool calls are run per response`);
        if (ran >= limits.perTurn) return refusal(use, `at most ${limits.perTurn} tool calls are run per turn`);
        ran++;
        return undefined;
      });
    },
    refused: () => refused,
  };
}
