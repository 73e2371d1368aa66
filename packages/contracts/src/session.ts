import { z } from 'zod';
import { ROLES } from './roles.ts';

export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const Me = z.object({
  user: z.object({ sub: z.string(), name: z.string(), email: z.string().nullable(), role: Role }),
  csrf_token: z.string(),
  tenant: z.object({ name: z.string(), domain: z.string(), embedded: z.boolean() }),
  session: z.object({ expires_at: z.string(), idle_timeout_seconds: z.number() }),
});
export type Me = z.infer<typeof Me>;

/** POST /auth/logout: where the browser goes next to end the identity provider's session too. */
export type SignOutResult = { logout_url: string };
