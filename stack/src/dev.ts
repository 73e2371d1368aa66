import { DEMO } from '@rtc/tenant';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dataDirs } from './data-dir.ts';
import { startEmbeddedStack } from './embedded.ts';

/**
 * `npm run dev`: the embedded tenant and the BFF as `npm start` has them, but the dashboard
 * from Vite's dev server with hot reload. Vite proxies /api and /auth to the BFF, whose
 * public URL is then Vite's (cookies, Origin checks and the sign-in callback all match).
 */
const VITE = 'http://localhost:5173';
const bffPort = Number(process.env.BFF_PORT ?? 4000);
const stack = await startEmbeddedStack({
  dataDir: dataDirs.base,
  dataDirs,
  tenantPort: Number(process.env.TENANT_PORT ?? 4400),
  bffPort,
  publicUrl: VITE,
  staticDir: null,
});
const vite = spawn('npx', ['vite'], {
  cwd: fileURLToPath(new URL('../../apps/dashboard', import.meta.url)),
  stdio: 'inherit',
  env: { ...process.env, BFF_URL: `http://127.0.0.1:${bffPort}` },
});
console.error(
  `\n  Dashboard (hot reload)  ${VITE}\n  Embedded tenant         ${stack.tenantUrl}\n` +
    `  Sign in as ${DEMO.staff.map((s) => `${s.email} / ${s.password}`).join(', ')}\n`,
);
const stop = async () => {
  vite.kill('SIGTERM');
  await stack.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
vite.on('exit', () => void stop());
