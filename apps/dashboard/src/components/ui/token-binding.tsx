import type { TokenBinding } from '@rtc/contracts';
import { bindingWords } from '@rtc/contracts/binding';
import { Badge } from './badge';

/**
 * A refresh token's DPoP binding: "Bound to key 1a2B3c4D… (DPoP)" with the whole
 * thumbprint on hover and for screen readers, or "Bearer". Nothing where the tenant does not
 * say (a real Auth0 tenant): the console never guesses "Bearer".
 */
export function TokenBindingBadge({ binding }: { binding: TokenBinding | undefined }) {
  const words = bindingWords(binding);
  if (!binding || !words) return null;
  if (binding.kind === 'bearer') return <Badge tone="neutral">{words}</Badge>;
  return (
    <span title={`DPoP key thumbprint (RFC 7638, SHA-256): ${binding.jkt}`}>
      <Badge tone="info">{words}</Badge>
    </span>
  );
}
