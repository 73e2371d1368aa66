import { it } from 'vitest';

// Stands in for the PostgreSQL runs when no server answers, so the report says why.
it.skip(`PostgreSQL runs skipped: ${process.env.POSTGRES_SKIP_REASON}`, () => {});
