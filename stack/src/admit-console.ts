import { allowConsoleOrigin, openStore } from '@rtc/tenant';

/**
 * Lets a console at `publicUrl` sign staff in with the demo dashboard client of the tenant
 * kept at `storage` (a data folder or a PostgreSQL URL), for a tenant run in its own process.
 */
export async function admitConsole(storage: string, publicUrl: string): Promise<void> {
  const store = await openStore(storage);
  try {
    await allowConsoleOrigin(store, publicUrl);
  } finally {
    await store.close();
  }
}
