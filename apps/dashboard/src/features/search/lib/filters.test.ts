import { describe, expect, it } from 'vitest';
import { describeFilter, filterForApi, filterFromParams, filterSearch, SESSION_FILTER_KEYS } from './filters';

describe('search filters in the URL', () => {
  it('reads the filters a tab knows, blanks as none', () => {
    const params = new URLSearchParams('ip=203.0.113.7&asn=%20&client_id=acme-mobile&page=2');
    expect(filterFromParams(params)).toEqual({ ip: '203.0.113.7', client_id: 'acme-mobile' });
    // Sessions have no application to search by.
    expect(filterFromParams(params, SESSION_FILTER_KEYS)).toEqual({ ip: '203.0.113.7' });
  });

  it('writes them back in a fixed order, and sends "last used between" as instants', () => {
    expect(filterSearch({ client_id: 'acme-web', ip: '203.0.113.0/24' })).toBe(
      '?ip=203.0.113.0%2F24&client_id=acme-web',
    );
    expect(filterSearch({})).toBe('');
    const sent = filterForApi({ ip: '203.0.113.7', last_used_from: '2026-12-01T10:00' });
    expect(sent.ip).toBe('203.0.113.7');
    expect(sent.last_used_from).toBe(new Date('2026-12-01T10:00').toISOString());
    // Not a time: sent as typed, for the BFF to refuse with its reason.
    expect(filterForApi({ last_used_to: 'yesterday' }).last_used_to).toBe('yesterday');
  });

  it('says the filter in words, with the application by name', () => {
    expect(describeFilter({ ip: '203.0.113.7', client_id: 'acme-mobile' }, () => 'Acme Mobile')).toBe(
      'address 203.0.113.7, application Acme Mobile',
    );
  });
});
