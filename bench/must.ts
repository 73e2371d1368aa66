/** `value`, or an error naming what was missing: the bench stops rather than measure the wrong thing. */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`bench: ${what} is missing`);
  return value;
}
