import { describe, expect, it } from 'vitest';
import { stackDataDirs } from './data-dir.ts';

describe('the data folders of npm start', () => {
  it('are .data/tenant and .data/bff under where npm ran, by default', () => {
    expect(stackDataDirs({ INIT_CWD: '/home/me/console' })).toEqual({
      base: '/home/me/console/.data',
      tenant: '/home/me/console/.data/tenant',
      bff: '/home/me/console/.data/bff',
    });
  });

  it('follow DATA_DIR, and TENANT_DATA_DIR / BFF_DATA_DIR as npm run tenant and the BFF read them', () => {
    expect(stackDataDirs({ INIT_CWD: '/w', DATA_DIR: '/srv/console' })).toMatchObject({
      tenant: '/srv/console/tenant',
      bff: '/srv/console/bff',
    });
    expect(
      stackDataDirs({
        INIT_CWD: '/w',
        DATA_DIR: '/srv/console',
        TENANT_DATA_DIR: 'tenant-data',
        BFF_DATA_DIR: '/var/lib/bff',
      }),
    ).toMatchObject({ tenant: '/w/tenant-data', bff: '/var/lib/bff' });
  });
});
