import type { RefreshToken } from '@rtc/contracts';
import { Fragment, useState } from 'react';
import { Badge } from '../../../../components/ui/badge';
import { Button } from '../../../../components/ui/button';
import { RelativeTime } from '../../../../components/ui/relative-time';
import { TokenBindingBadge } from '../../../../components/ui/token-binding';
import { RevokedMark } from '../revoked-mark';
import type { Actions } from './table-parts';
import { TokenDetails } from './token-details';

/** One row per token, with its details to expand and its own revoke button. */
export function TokenRows({
  tokens,
  isRevoking,
  canRevoke,
  open,
}: {
  tokens: RefreshToken[];
  isRevoking: (id: string) => boolean;
  canRevoke: boolean;
  open: Actions['open'];
}) {
  const [expanded, setExpanded] = useState<string | null>(null);
  return (
    <tbody>
      {tokens.map((token) => {
        const revoking = isRevoking(token.id);
        const isOpen = expanded === token.id;
        return (
          <Fragment key={token.id}>
            <tr aria-busy={revoking}>
              <th scope="row">{token.client_name}</th>
              <td>
                {token.device_name ?? <span className="muted">{token.device.initial_agent ?? 'Unknown agent'}</span>}
              </td>
              <td>
                <RelativeTime value={token.created_at} />
              </td>
              <td>
                <RelativeTime value={token.last_exchanged_at} fallback="Never" />
              </td>
              <td>
                <RelativeTime value={earliest(token.expires_at, token.idle_expires_at)} fallback="Never" />
              </td>
              <td>
                {revoking ? <RevokedMark /> : <Badge tone="good">{token.rotating ? 'Live · rotating' : 'Live'}</Badge>}{' '}
                {token.signals.length ? <Badge tone="danger">Used elsewhere</Badge> : null}{' '}
                <TokenBindingBadge binding={token.binding} />
              </td>
              <td className="actions">
                <Button
                  variant="ghost"
                  aria-expanded={isOpen}
                  aria-controls={`token-${token.id}`}
                  onClick={() => setExpanded(isOpen ? null : token.id)}
                >
                  Details
                  <span className="visually-hidden">
                    {' '}
                    of {token.client_name} on {token.device_name ?? 'this device'}
                  </span>
                </Button>
                {canRevoke ? (
                  <Button
                    variant="danger"
                    disabled={revoking}
                    aria-label={`Revoke ${token.client_name} token on ${token.device_name ?? 'unnamed device'}`}
                    onClick={() =>
                      open(
                        { action: 'refresh_token.revoke', token_id: token.id },
                        { title: 'Revoke this refresh token?', confirmLabel: 'Revoke' },
                      )
                    }
                  >
                    Revoke
                  </Button>
                ) : null}
              </td>
            </tr>
            {isOpen ? (
              <tr className="details-row">
                <td colSpan={7} id={`token-${token.id}`}>
                  <TokenDetails token={token} />
                </td>
              </tr>
            ) : null}
          </Fragment>
        );
      })}
    </tbody>
  );
}

const earliest = (a: string | null, b: string | null) => (a && b ? (a < b ? a : b) : (a ?? b));
