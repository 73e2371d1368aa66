import { describe, expect, it } from 'vitest';
import { readServerConfig } from '../../src/config.ts';

describe('tenant start-up configuration', () => {
  describe('demo data (published passwords) only where nobody else can reach them', () => {
    it('seeds the demo tenant by default on a loopback issuer', () => {
      expect(readServerConfig([], {}).demo).toBe(true);
      expect(readServerConfig(['--issuer', 'http://localhost:4400/'], {}).demo).toBe(true);
      expect(readServerConfig(['--issuer', 'http://[::1]:4400/'], {}).demo).toBe(true);
    });

    it('starts without demo data on a public issuer, as in the README multi-instance example', () => {
      expect(readServerConfig(['--port', '4401', '--issuer', 'https://tenant.example.com/'], {}).demo).toBe(false);
      expect(readServerConfig([], { TENANT_ISSUER: 'https://tenant.example.com/' }).demo).toBe(false);
      // Listening on every interface with the default issuer is not loopback either.
      expect(readServerConfig(['--host', '0.0.0.0', '--issuer', 'http://192.0.2.10:4400/'], {}).demo).toBe(false);
    });

    it('seeds it on a public issuer only when asked explicitly, and says so loudly', () => {
      const flag = readServerConfig(['--issuer', 'https://tenant.example.com/', '--demo'], {});
      expect(flag.demo).toBe(true);
      expect(flag.warnings.join('\n')).toMatch(/published demo passwords/);
      expect(readServerConfig(['--issuer', 'https://tenant.example.com/'], { TENANT_DEMO: '1' }).demo).toBe(true);
      expect(readServerConfig([], { TENANT_DEMO: '0' }).demo).toBe(false);
      expect(readServerConfig(['--no-demo'], {}).demo).toBe(false);
      expect(readServerConfig([], {}).warnings).toEqual([]);
    });
  });

  describe('--trust-proxy', () => {
    it('trusts no proxy by default, N hops when told', () => {
      expect(readServerConfig([], {}).trustProxy).toBe(0);
      expect(readServerConfig(['--trust-proxy', '2'], {}).trustProxy).toBe(2);
      expect(readServerConfig([], { TENANT_TRUST_PROXY: '1' }).trustProxy).toBe(1);
      expect(() => readServerConfig(['--trust-proxy', 'yes'], {})).toThrow(/trust-proxy/);
    });
  });
});
