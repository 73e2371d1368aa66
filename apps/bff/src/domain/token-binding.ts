import type { TokenBinding } from '@rtc/contracts';

/**
 * The DPoP bindings of revoked tokens in words, for the audit log and its CSV export:
 * `DPoP: 1 bound to a key (rt_1 key <full thumbprint>), 2 bearer`, the whole thumbprint so an
 * investigator can match it against the key a client holds. Nothing when the tenant said
 * nothing of any of them (a real Auth0 tenant): no guess.
 */
export function bindingsInWords(tokens: { id: string; binding: TokenBinding }[]): string[] {
  if (tokens.every((t) => t.binding === null)) return [];
  const bound = tokens.flatMap((t) => (t.binding?.kind === 'dpop' ? [`${t.id} key ${t.binding.jkt}`] : []));
  const bearer = tokens.filter((t) => t.binding?.kind === 'bearer').length;
  const unknown = tokens.filter((t) => t.binding === null).length;
  return [
    `DPoP: ${bound.length} bound to a key${bound.length ? ` (${bound.join(', ')})` : ''}, ` +
      `${bearer} bearer${unknown ? `, ${unknown} not said by the tenant` : ''}`,
  ];
}
