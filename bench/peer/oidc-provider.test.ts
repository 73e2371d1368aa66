import { freePort, startProcess, type Proc } from '@rtc/stack';
import { generatedTokenValue } from '@rtc/tenant';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SEED = 'peer-test';
const started: Proc[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const proc of started.splice(0)) await proc.kill9();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startPeer(store: 'memory' | 'sqlite', data?: string): Promise<Proc> {
  const port = await freePort();
  const args = ['--port', String(port), '--tokens', '40', '--seed', SEED, '--store', store];
  const peer = await startProcess('bench/peer/oidc-provider.ts', data ? [...args, '--data', data] : args, {}, port);
  started.push(peer);
  return peer;
}
const post = (peer: Proc, path: string, form: Record<string, string>) =>
  fetch(`${peer.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
const exchange = (peer: Proc, refreshToken: string, client = { client_id: 'peer-app' }) =>
  post(peer, '/token', { grant_type: 'refresh_token', ...client, refresh_token: refreshToken });
const web = { client_id: 'peer-web', client_secret: 'peer-web-secret' };

describe('the bench peer (oidc-provider)', () => {
  it('on SQLite, a refresh token issued before the process is killed exchanges after its restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-peer-'));
    dirs.push(dir);
    const data = join(dir, 'peer.sqlite');
    const before = await startPeer('sqlite', data);
    const first = await exchange(before, generatedTokenValue(SEED, 2));
    expect(first.status).toBe(200);
    const { refresh_token: issued } = (await first.json()) as { refresh_token: string };
    await before.kill9();

    const after = await startPeer('sqlite', data);
    const again = await exchange(after, issued);
    expect(again.status).toBe(200);
    // The token it replaced stays consumed across the restart: presenting it again is reuse.
    const reused = await exchange(after, generatedTokenValue(SEED, 2));
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
  });

  for (const store of ['memory', 'sqlite'] as const) {
    it(`(${store}) /token/revocation takes away the token presented, not the others of its user`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rtc-peer-'));
      dirs.push(dir);
      const peer = await startPeer(store, store === 'sqlite' ? join(dir, 'peer.sqlite') : undefined);
      const revoked = await post(peer, '/token/revocation', { ...web, token: generatedTokenValue(SEED, 1) });
      expect(revoked.status).toBe(200);
      expect(await (await exchange(peer, generatedTokenValue(SEED, 1), web)).json()).toMatchObject({
        error: 'invalid_grant',
      });
      // Token 3 belongs to the same user and application as token 1.
      expect((await exchange(peer, generatedTokenValue(SEED, 3), web)).status).toBe(200);
    });
  }
});
