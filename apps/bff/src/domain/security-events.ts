import { DPOP_BOUND_TOKEN_REFUSED, type SecurityEvent } from '@rtc/contracts';
import type { DeviceCredential, MgmtLog } from '../management/gateway.ts';
import { describeAddress, placeOf } from './ip-places.ts';
import { describeAgent } from './user-agent.ts';
import { deviceNamesByTokenId, type Names } from './user-view.ts';

/**
 * The user's log entries as the console's security events: the application and device each
 * concerns by name, and where and by what agent it happened. Whether a theft signal's token is
 * still live is not known here (`token_live` null): that takes the tenant's listing.
 */
export function toSecurityEvents(logs: MgmtLog[], names: Names, credentials: DeviceCredential[]): SecurityEvent[] {
  const deviceNames = deviceNamesByTokenId(credentials);
  return logs.map((log) => {
    const details = (log.details ?? {}) as Record<string, unknown>;
    const tokenId = typeof details.refresh_token_id === 'string' ? details.refresh_token_id : null;
    const place = placeOf(log.ip);
    return {
      id: log.log_id ?? '',
      at: typeof log.date === 'string' ? log.date : null,
      type: log.type ?? 'unknown',
      description: log.description ?? '',
      client_id: log.client_id ?? null,
      client_name: log.client_id ? (names.clients.get(log.client_id) ?? log.client_id) : null,
      refresh_token_id: tokenId,
      device_name:
        (typeof details.device_name === 'string' ? details.device_name : null) ??
        (tokenId ? (deviceNames.get(tokenId) ?? null) : null),
      ip: log.ip ?? null,
      agent: describeAgent(typeof details.user_agent === 'string' ? details.user_agent : null),
      user_agent: typeof details.user_agent === 'string' ? details.user_agent : null,
      place,
      where: describeAddress(log.ip, place),
      reason: log.type === DPOP_BOUND_TOKEN_REFUSED && typeof details.reason === 'string' ? details.reason : null,
      token_live: null,
    };
  });
}
