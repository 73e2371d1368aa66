import fc from 'fast-check';

/** Strings an attacker or a broken client sends: odd unicode, control characters, huge ones. */
export const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\u202e',
    '🙂',
    '../../etc/passwd',
    "' OR 1=1 --",
    '<script>',
    '%00',
    '__proto__',
    'constructor',
    'null',
    '[]',
    '{}',
  ),
  fc.integer({ min: 1, max: 70_000 }).map((n) => 'x'.repeat(n)),
);

/** Any JSON a client could send instead of the expected object. */
export const nastyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(
    fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        'grant_type',
        'client_id',
        'token',
        'refresh_token',
        'ids',
        'user_id',
        'flags',
        'refresh_token_metadata',
      ),
    ),
    fc.oneof(nastyString, fc.jsonValue({ maxDepth: 2 })),
  ),
);

export const contentType = fc.constantFrom(
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  '',
  'application/json; charset=utf-16',
);
export const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS');

/** A request body: raw text, JSON of any shape, or a form with arbitrary fields. */
export const body = fc.oneof(
  nastyString,
  nastyJson.map((v) => JSON.stringify(v)),
  fc
    .dictionary(fc.string({ maxLength: 16 }), nastyString, { maxKeys: 6 })
    .map((o) => new URLSearchParams(o).toString()),
);

export const queryString = fc
  .dictionary(
    fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        'page',
        'per_page',
        'take',
        'from',
        'fields',
        'include_fields',
        'include_totals',
        'q',
        'sort',
        'user_id',
        'client_id',
        'type',
        'audience',
      ),
    ),
    nastyString,
    { maxKeys: 5 },
  )
  .map((o) => new URLSearchParams(o).toString());

/** Path segments: encoded anything (lone surrogates replaced), and raw malformed escapes on purpose. */
export const pathId = fc.oneof(
  fc
    .oneof(fc.string({ maxLength: 20 }), nastyString)
    .map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd')) || 'x'),
  fc.constantFrom('%E0%A4%A', '%', '%00', '..%2F..%2Fetc', 'dcr_', 'dcr_%F0%9F'),
);

export const RUNS = Number(process.env.PROPERTY_RUNS ?? 60);
