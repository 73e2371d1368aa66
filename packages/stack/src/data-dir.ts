import { resolve } from 'node:path';

/**
 * The demo stack's data folder: DATA_DIR, `.data` by default, relative to where npm ran
 * (npm's INIT_CWD), not to this workspace, as `npm run tenant` reads its --data-dir.
 */
export const dataDir = resolve(process.env.INIT_CWD ?? process.cwd(), process.env.DATA_DIR ?? '.data');
