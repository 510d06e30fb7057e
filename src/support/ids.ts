import { randomBytes } from 'node:crypto';

/** A random id with a readable prefix, e.g. `apr_3f9c0a...`. */
export function newId(prefix: string, bytes = 9): string {
  return `${prefix}_${randomBytes(bytes).toString('hex')}`;
}
