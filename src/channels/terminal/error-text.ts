/** An error's message for the person at the terminal (the value itself when it is not an Error). */
export function errorText(err: unknown): string {
  return String((err as Error).message ?? err);
}
