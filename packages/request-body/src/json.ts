/** Deeper than any body an endpoint here takes (two or three levels), far below a stack's limit. */
export const MAX_JSON_DEPTH = 32;

export type JsonRejection = 'syntax' | 'depth' | 'duplicate_key' | 'not_object';

/** Why a body is not acceptable JSON; each app turns it into its own documented error body. */
export class UnacceptableJson extends Error {
  constructor(
    readonly reason: JsonRejection,
    message: string,
  ) {
    super(message);
    this.name = 'UnacceptableJson';
  }
}

/**
 * Parses a request body that must be a JSON object. Stricter than JSON.parse, which takes
 * any depth (and our recursive checks then overflow the stack: a 500) and silently keeps
 * the last of repeated keys (so two readers of one body could disagree on its meaning).
 */
export function parseJsonObject(text: string, maxDepth = MAX_JSON_DEPTH): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UnacceptableJson('syntax', 'The body is not valid JSON.');
  }
  checkStructure(text, maxDepth);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UnacceptableJson('not_object', 'The body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** One pass over text JSON.parse has accepted: nesting depth, and each object's keys. */
function checkStructure(text: string, maxDepth: number): void {
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      let end = i + 1;
      while (text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c /* \ */ ? 2 : 1;
      if (expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        const keys = open[open.length - 1]!;
        if (keys.has(key))
          throw new UnacceptableJson('duplicate_key', `The key "${printable(key)}" appears more than once.`);
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      if (open.length >= maxDepth)
        throw new UnacceptableJson('depth', `The body is nested more than ${maxDepth} levels deep.`);
      open.push(ch === 0x7b ? new Set() : null);
      expectKey = ch === 0x7b;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      open.pop();
      expectKey = false;
    } else if (ch === 0x2c /* , */) {
      expectKey = open[open.length - 1] instanceof Set;
    }
  }
}

/** Keys are echoed in errors: short and printable. */
function printable(key: string): string {
  const safe = key.replace(/[^\x20-\x7e]/g, '?');
  return safe.length > 40 ? `${safe.slice(0, 40)}...` : safe;
}
