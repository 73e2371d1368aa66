import { createLocalJWKSet, jwtVerify } from 'jose';
import { ISSUER, type TestTenant } from './fixtures.ts';

/** Verifies a JWT as a relying party would: the tenant's published keys and issuer, the given audience, at the tenant's clock. */
export const verifyIssuedJwt = (t: TestTenant, token: string, audience: string) =>
  jwtVerify(token, createLocalJWKSet(t.tenant.deps.keys.jwks()), {
    issuer: ISSUER,
    audience,
    currentDate: new Date(t.clock.now()),
  });
