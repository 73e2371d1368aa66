import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseJsonObject, UnacceptableJson, type JsonRejection } from './json.ts';
import { containsNul } from './nul.ts';

/** The reason a text is refused, or undefined when it is accepted. */
function rejection(text: string): JsonRejection | undefined {
  try {
    parseJsonObject(text);
    return undefined;
  } catch (err) {
    if (err instanceof UnacceptableJson) return err.reason;
    throw err;
  }
}

const nested = (levels: number, open = '{"a":', close = '}') => `${open.repeat(levels)}1${close.repeat(levels)}`;

describe('parseJsonObject: depth', () => {
  it(`accepts an object nested ${MAX_JSON_DEPTH} levels and refuses one level more`, () => {
    expect(rejection(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(rejection(nested(MAX_JSON_DEPTH + 1))).toBe('depth');
  });

  it('counts arrays and objects alike', () => {
    expect(rejection(`{"a":${nested(MAX_JSON_DEPTH - 1, '[', ']')}}`)).toBeUndefined();
    expect(rejection(`{"a":${nested(MAX_JSON_DEPTH, '[', ']')}}`)).toBe('depth');
  });

  it('refuses 100,000 levels as too deep, not with a stack overflow', () => {
    expect(rejection(nested(100_000))).toBe('depth');
    expect(rejection(`{"a":${nested(100_000, '[', ']')}}`)).toBe('depth');
  });

  it('does not count brackets inside strings', () => {
    expect(parseJsonObject(`{"a":"${'['.repeat(1000)}{{{"}`)).toEqual({ a: `${'['.repeat(1000)}{{{` });
  });

  it('takes a lower bound when asked', () => {
    expect(() => parseJsonObject('{"a":{"b":{}}}', 2)).toThrow(/nested more than 2 levels/);
  });
});

describe('parseJsonObject: duplicate keys', () => {
  it('refuses a key repeated in one object, naming it', () => {
    expect(() => parseJsonObject('{"grant":true,"grant":false}')).toThrow('The key "grant" appears more than once.');
  });

  it('compares keys as JSON reads them, escapes undone', () => {
    expect(rejection('{"a":1,"\\u0061":2}')).toBe('duplicate_key');
  });

  it('refuses a repeat after a nested object, and inside objects in arrays', () => {
    expect(rejection('{"a":{"b":1},"a":2}')).toBe('duplicate_key');
    expect(rejection('{"x":[{"a":1},{"a":1,"a":2}]}')).toBe('duplicate_key');
  });

  it('accepts one name in different objects, and a value that looks like a key', () => {
    expect(parseJsonObject('{"a":{"a":1},"b":[{"a":2},{"a":3}],"c":"a"}')).toEqual({
      a: { a: 1 },
      b: [{ a: 2 }, { a: 3 }],
      c: 'a',
    });
  });

  it('is not fooled by escaped quotes and braces inside strings', () => {
    expect(parseJsonObject('{"a":"}{\\",\\"a\\":","b":1}')).toEqual({ a: '}{","a":', b: 1 });
    expect(rejection('{"a":"\\\\","a":1}')).toBe('duplicate_key');
  });

  it('echoes a hostile key short and printable', () => {
    const key = `\u0007${'k'.repeat(100)}`;
    try {
      parseJsonObject(`{${JSON.stringify(key)}:1,${JSON.stringify(key)}:2}`);
      expect.fail('a duplicate key was accepted');
    } catch (err) {
      expect((err as Error).message).toBe(`The key "?${'k'.repeat(39)}..." appears more than once.`);
    }
  });
});

describe('parseJsonObject: shape and syntax', () => {
  it.each([['[]'], ['[{"a":1}]'], ['"x"'], ['1'], ['null'], ['true']])('refuses %s: not an object', (text) => {
    expect(rejection(text)).toBe('not_object');
  });

  it.each([[''], ['{'], ['{"a":}'], ["{'a':1}"], ['{"a":1,}'], ['{"a":1}{}'], ['{"a":NaN}']])(
    'refuses %j as a syntax error',
    (text) => {
      expect(rejection(text)).toBe('syntax');
    },
  );

  it('refuses a byte order mark before the object, as JSON.parse does', () => {
    expect(rejection('\uFEFF{"a":1}')).toBe('syntax');
  });

  it('reads huge numbers as numbers, without throwing', () => {
    expect(parseJsonObject('{"n":1e400,"m":-1e400}')).toEqual({
      n: Number.POSITIVE_INFINITY,
      m: Number.NEGATIVE_INFINITY,
    });
    expect(parseJsonObject(`{"n":${'9'.repeat(10_000)}}`).n).toBe(Number.POSITIVE_INFINITY);
    expect(parseJsonObject('{"n":12345678901234567890}').n).toBe(12345678901234567000);
  });
});

describe('NUL', () => {
  it('refuses a raw NUL in a string as a syntax error (JSON forbids unescaped control characters)', () => {
    expect(rejection('{"a":"x\u0000y"}')).toBe('syntax');
  });

  it('parses an escaped NUL, which containsNul then finds in values, keys and arrays', () => {
    const inValue = parseJsonObject('{"a":"x\\u0000y"}');
    const inKey = parseJsonObject('{"a\\u0000":"y"}');
    const inArray = parseJsonObject('{"a":[{"b":["ok","\\u0000"]}]}');
    expect([containsNul(inValue), containsNul(inKey), containsNul(inArray)]).toEqual([true, true, true]);
    expect(containsNul(parseJsonObject('{"a":["ok",{"b":1,"c":null}]}'))).toBe(false);
  });

  it('checks strings of a query as well', () => {
    expect(containsNul({ q: ['a', 'b\u0000'] })).toBe(true);
    expect(containsNul('plain')).toBe(false);
  });
});

describe('invalid UTF-8', () => {
  it('reaches the parser as replacement characters, read as text like any other', () => {
    // What c.req.text() hands on for bytes that are not UTF-8: U+FFFD, never an exception.
    const bytes = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xc3, 0x28]), Buffer.from('"}')]);
    const text = new TextDecoder().decode(bytes);
    expect(parseJsonObject(text)).toEqual({ a: '\uFFFD\uFFFD(' });
  });

  it('takes a lone surrogate escape as JSON.parse does', () => {
    expect(parseJsonObject('{"a":"\\ud800"}').a).toHaveLength(1);
  });
});
