import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts the dashboard, which the BFF serves unless BFF_STATIC_DIR says otherwise. */
export const DASHBOARD_DIST = resolve(fileURLToPath(new URL('../../dashboard/dist', import.meta.url)));
