import type { RefreshToken } from '@rtc/contracts';
import { bindingWords } from '@rtc/contracts/binding';
import { DetailsList } from '../../../../components/ui/details-list';
import { IpWithPlace } from '../../../../components/ui/ip-address';
import { RelativeTime } from '../../../../components/ui/relative-time';

/** Everything the Management API knows of one refresh token. */
export function TokenDetails({ token }: { token: RefreshToken }) {
  const d = token.device;
  const rows: [string, React.ReactNode][] = [
    ['Token id', <code key="token-id">{token.id}</code>],
    ['Application', `${token.client_name} (${token.client_id})`],
    ['Device name', token.device_name ?? '—'],
    ['Rotating', token.rotating ? 'Yes: each exchange returns a new token' : 'No'],
    [
      'Binding',
      token.binding?.kind === 'dpop' ? (
        <>
          {bindingWords(token.binding)}: a copy is refused without the app's private key. Thumbprint{' '}
          <code>{token.binding.jkt}</code>
        </>
      ) : token.binding?.kind === 'bearer' ? (
        'Bearer: whoever holds a copy can use it'
      ) : (
        'Unknown: the tenant does not say'
      ),
    ],
    ['Session', token.session_id ? <code key="session">{token.session_id}</code> : 'None (issued without a session)'],
    ['Created', <RelativeTime key="created" value={token.created_at} />],
    ['Last exchanged', <RelativeTime key="last-exchanged" value={token.last_exchanged_at} fallback="Never" />],
    ['Idle expiry', <RelativeTime key="idle-expiry" value={token.idle_expires_at} fallback="Never" />],
    ['Absolute expiry', <RelativeTime key="absolute-expiry" value={token.expires_at} fallback="Never" />],
    ['Initial IP', <IpWithPlace key="initial-ip" ip={d.initial_ip} place={d.initial_place} asn={d.initial_asn} />],
    [
      'Initial user agent',
      <AgentInWords key="initial-user-agent" agent={d.initial_agent} raw={d.initial_user_agent} />,
    ],
    ['Last IP', <IpWithPlace key="last-ip" ip={d.last_ip} place={d.last_place} asn={d.last_asn} />],
    ['Last user agent', <AgentInWords key="last-user-agent" agent={d.last_agent} raw={d.last_user_agent} />],
    ['Signals', token.signals.length ? token.signals.join(' ') : 'None: last used as issued'],
    ['APIs and scopes', token.resource_servers.map((rs) => `${rs.api_name}: ${rs.scopes.join(' ')}`).join('; ') || '—'],
    [
      'Metadata',
      Object.keys(token.metadata).length ? <code key="metadata">{JSON.stringify(token.metadata)}</code> : '—',
    ],
  ];
  return <DetailsList rows={rows} />;
}

/** "curl 8.5.0 curl/8.5.0": the agent in words, then its raw text only when that says more ("node" is both). */
function AgentInWords({ agent, raw }: { agent: string | null; raw: string | null }) {
  if (!raw) return <>—</>;
  if (!agent || agent === raw) return <code className="raw-agent">{raw}</code>;
  return (
    <>
      {agent} <code className="raw-agent">{raw}</code>
    </>
  );
}
