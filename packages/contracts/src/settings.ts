import { z } from 'zod';

export const TenantSettings = z.object({ revoke_refresh_token_grant: z.boolean() });
export type TenantSettings = z.infer<typeof TenantSettings>;
export const UpdateTenantSettings = z.object({ revoke_refresh_token_grant: z.boolean() }).strict();
export type UpdateTenantSettings = z.infer<typeof UpdateTenantSettings>;
