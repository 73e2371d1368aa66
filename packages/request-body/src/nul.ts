/**
 * Whether a string, or any key or string inside a parsed body or query, holds NUL. JSON and
 * percent-encoding can carry it, but no identifier, secret or URI contains it and PostgreSQL
 * refuses it in text: both apps refuse it at the edge, each in its own error body.
 */
export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) if (key.includes('\u0000') || containsNul(inner)) return true;
  }
  return false;
}
