import { join, resolve } from 'node:path';

/**
 * Where `npm start` and `npm run dev` keep their data, named as the README names it:
 * `DATA_DIR` (`.data` by default) holds the tenant's folder (`tenant/`) and the BFF's (`bff/`);
 * `TENANT_DATA_DIR` and `BFF_DATA_DIR`, which `npm run tenant` and the BFF alone read, put
 * either elsewhere. Relative paths are relative to where npm ran (npm's INIT_CWD), not to this
 * workspace, as `npm run tenant` reads its --data-dir.
 */
export function stackDataDirs(
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): { base: string; tenant: string; bff: string } {
  const from = env.INIT_CWD ?? cwd;
  const base = resolve(from, env.DATA_DIR || '.data');
  return {
    base,
    tenant: env.TENANT_DATA_DIR ? resolve(from, env.TENANT_DATA_DIR) : join(base, 'tenant'),
    bff: env.BFF_DATA_DIR ? resolve(from, env.BFF_DATA_DIR) : join(base, 'bff'),
  };
}

export const dataDirs = stackDataDirs(process.env);
