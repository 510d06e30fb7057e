/**
 * A failed tool call, typed, for code that calls tools (channels): the error code, the message and the refused
 * fields travel in the result's `_meta`, so nobody parses them back out of the text a model reads.
 */
import { z, type ZodError } from 'zod';
import { isErrorCode, type ErrorCode, type FieldIssue } from '../errors.js';

/** The `_meta` key of a failed result's typed failure. */
export const TOOL_ERROR_META = 'helpline/error';

export interface ToolFailure {
  code: ErrorCode;
  message: string;
  /** Input fields that were refused (path as `a.b`), empty when the failure is not about one field. */
  issues: FieldIssue[];
}

/** A zod error's issues as refused fields (path as `a.b`), bounded like a result's `_meta`. */
export function issuesOf(err: ZodError): FieldIssue[] {
  return err.issues.slice(0, 100).map((i) => ({ path: i.path.map(String).join('.').slice(0, 200), message: i.message.slice(0, 1000) }));
}

const failureSchema = z.object({
  code: z.string().max(50),
  message: z.string().max(4000),
  issues: z.array(z.object({ path: z.string().max(200), message: z.string().max(1000) })).max(100),
});

/** The typed failure a result carries, or undefined (a success, or a failure from outside our tools: protocol). */
export function toolFailureOf(result: unknown): ToolFailure | undefined {
  const meta = (result as { isError?: unknown; _meta?: Record<string, unknown> } | null)?._meta;
  if ((result as { isError?: unknown } | null)?.isError !== true || !meta) return undefined;
  const parsed = failureSchema.safeParse(meta[TOOL_ERROR_META]);
  const code = parsed.success ? parsed.data.code : undefined;
  if (!parsed.success || !isErrorCode(code)) return undefined;
  return { code, message: parsed.data.message, issues: parsed.data.issues };
}
