import type { RefreshToken } from '@rtc/contracts';
import { describe, expect, it } from 'vitest';
import { placeOf } from './ip-places.ts';
import { theftSignals } from './theft-signals.ts';
import { describeAgent } from './user-agent.ts';

type Raw = Partial<
  Pick<
    RefreshToken['device'],
    'initial_ip' | 'initial_asn' | 'initial_user_agent' | 'last_ip' | 'last_asn' | 'last_user_agent'
  >
>;

/** A token's device as the console builds it: agents and places from the real lookups. */
function device(raw: Raw): RefreshToken['device'] {
  const d = {
    initial_ip: null,
    initial_asn: null,
    initial_user_agent: null,
    last_ip: null,
    last_asn: null,
    last_user_agent: null,
    ...raw,
  };
  return {
    ...d,
    initial_agent: describeAgent(d.initial_user_agent),
    last_agent: describeAgent(d.last_user_agent),
    initial_place: placeOf(d.initial_ip, d.initial_asn),
    last_place: placeOf(d.last_ip, d.last_asn),
  };
}

const APP = 'AcmeMobile/4.2.1 (iPhone; iOS 18.1; Scale/3.00)';
const APP_UPDATED = 'AcmeMobile/4.3.0 (iPhone; iOS 18.2)';
const CURL = 'curl/8.5.0';

describe('theftSignals', () => {
  it('says nothing of a token used as it was issued', () => {
    expect(theftSignals(device({ initial_ip: '9.9.9.9', last_ip: '9.9.9.9', initial_user_agent: APP }))).toEqual([]);
    expect(theftSignals(device({}))).toEqual([]);
  });

  it("flags an app's token replayed by another agent family", () => {
    expect(theftSignals(device({ initial_user_agent: APP, last_user_agent: CURL }))).toEqual([
      'Last used by curl 8.5.0, but issued to AcmeMobile 4.2.1 on iOS 18.1.',
    ]);
  });

  it('does not flag an update of the same app or OS', () => {
    expect(theftSignals(device({ initial_user_agent: APP, last_user_agent: APP_UPDATED }))).toEqual([]);
  });

  it('compares agents only when both are known', () => {
    expect(theftSignals(device({ initial_user_agent: APP }))).toEqual([]);
    expect(theftSignals(device({ last_user_agent: CURL }))).toEqual([]);
  });

  it('flags another network, by the IP data', () => {
    expect(theftSignals(device({ initial_ip: '9.9.9.9', last_ip: '8.8.8.8' }))).toEqual([
      'Last used from Google LLC (AS15169) in United States, but issued on Quad9 (AS19281) in United States.',
    ]);
  });

  it('flags the same network in another country', () => {
    // Both Cloudflare (AS13335): the data places one in Australia, the other in Canada.
    expect(theftSignals(device({ initial_ip: '1.1.1.1', last_ip: '104.16.0.1' }))).toEqual([
      'Last used in Canada, but issued in Australia.',
    ]);
  });

  it('does not flag a new address on the same network and country: a phone moves within its carrier', () => {
    expect(theftSignals(device({ initial_ip: '9.9.9.9', last_ip: '149.112.112.112' }))).toEqual([]);
  });

  it('judges addresses the data cannot place by the ASNs the tenant recorded, however they are spelled', () => {
    expect(
      theftSignals(device({ initial_ip: '10.0.0.1', initial_asn: 'AS64500', last_ip: '10.0.0.2', last_asn: '64500' })),
    ).toEqual([]);
    expect(
      theftSignals(
        device({ initial_ip: '10.0.0.1', initial_asn: 'AS64500', last_ip: '10.0.0.2', last_asn: 'AS64501' }),
      ),
    ).toEqual(['Last used from AS64501, but issued on AS64500.']);
  });

  it('compares addresses only when no ASN is known for either side', () => {
    expect(theftSignals(device({ initial_ip: '10.0.0.1', last_ip: '10.0.0.2' }))).toEqual([
      'Last used from 10.0.0.2 (private network: no public network or country), ' +
        'but issued at 10.0.0.1 (private network: no public network or country).',
    ]);
    expect(theftSignals(device({ initial_ip: '10.0.0.1', last_ip: '10.0.0.1' }))).toEqual([]);
    // An ASN on one side only: the addresses prove nothing, and there is nothing to compare the ASN with.
    expect(theftSignals(device({ initial_ip: '10.0.0.1', initial_asn: 'AS64500', last_ip: '10.0.0.2' }))).toEqual([]);
  });

  it('does not flag an address missing on one side', () => {
    expect(theftSignals(device({ initial_ip: '10.0.0.1' }))).toEqual([]);
    expect(theftSignals(device({ last_ip: '8.8.8.8' }))).toEqual([]);
  });

  it('gives both sentences, agent first, when both changed', () => {
    expect(
      theftSignals(
        device({ initial_user_agent: APP, last_user_agent: CURL, initial_ip: '9.9.9.9', last_ip: '175.16.199.0' }),
      ),
    ).toEqual([
      'Last used by curl 8.5.0, but issued to AcmeMobile 4.2.1 on iOS 18.1.',
      'Last used from CHINA UNICOM China169 Backbone (AS4837) in China, ' +
        'but issued on Quad9 (AS19281) in United States.',
    ]);
  });
});
