import { Hono } from 'hono';
import type { TenantDeps, TenantEnv } from '../deps.ts';

/** Management API v2 (issue 3 fills this in). */
export function managementApi(_deps: TenantDeps) {
  return new Hono<TenantEnv>();
}
