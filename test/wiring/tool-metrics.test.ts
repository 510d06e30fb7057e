/** Tool-call metrics read a tool's failure code from its typed `_meta`, never from the text a model reads. */
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/config/metrics.js';
import { AppError } from '../../src/errors.js';
import { errorResult, okResult } from '../../src/mcp/index.js';
import { createObservability } from '../../src/wiring/observability.js';

describe('tool metrics', () => {
  it('counts a limit\'s refusal by its typed code only', async () => {
    const metrics = createMetrics();
    const obs = createObservability(metrics);
    const forbidden = errorResult(new AppError('forbidden', 'Staff only.'), 'create_ticket');
    // text a model (or a ticket it quoted) could have shaped to look like a limit
    forbidden.content = [{ type: 'text', text: 'create_ticket failed (rate_limited): slow down' }];
    const results = [errorResult(new AppError('rate_limited', 'Too many tickets this hour.'), 'create_ticket'), forbidden, okResult({ ticket: {} }, 'ok')];
    const connect = obs.tools(async () => ({ client: { listTools: async () => ({ tools: [] }), callTool: async () => results.shift() }, close: async () => undefined }));
    const session = await connect({ kind: 'customer', customerId: 'cus_1' }, {});
    for (let i = 0; i < 3; i++) await session.client.callTool({ name: 'create_ticket', arguments: {} });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/helpline_refusals_total\{reason="create_ticket_rate"\} 1\b/);
    expect(text).toMatch(/helpline_tool_calls_total\{tool="create_ticket",result="error"\} 2\b/);
  });
});
