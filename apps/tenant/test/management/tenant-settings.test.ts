import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { managementHarness, type ManagementHarness } from './helpers.ts';

let h: ManagementHarness;
beforeEach(async () => {
  h = await managementHarness();
});
afterEach(() => h.stop());

describe('tenant settings', () => {
  it('reads and toggles flags.revoke_refresh_token_grant, keeping the other flags', async () => {
    expect((await h.api.settings.get()).flags).toMatchObject({ revoke_refresh_token_grant: false });
    const updated = await h.api.settings.update({ flags: { revoke_refresh_token_grant: true } });
    expect(updated.flags).toMatchObject({
      revoke_refresh_token_grant: true,
      allow_legacy_delegation_grant_types: false,
    });
    expect(await h.api.settings.get({ fields: 'flags' })).toEqual({ flags: updated.flags });
  });

  it('refuses unknown or mistyped settings', async () => {
    const patch = (body: string) =>
      h.raw('/tenants/settings', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body });
    for (const body of [
      '{"flags":{"revoke_refresh_token_grant":"yes"}}',
      '{"flags":{"made_up":true}}',
      '{"colour":"red"}',
      '[]',
      'null',
      '{',
    ]) {
      expect((await patch(body)).status, body).toBe(400);
    }
    expect((await h.api.settings.get()).flags!.revoke_refresh_token_grant).toBe(false);
  });
});
