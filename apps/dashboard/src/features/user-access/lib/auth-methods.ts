/**
 * Auth0's session authentication method names (`authentication.methods[].name`, RFC 8176 amr
 * values for some) in words a support person can read to a customer. An unknown one is shown
 * as the tenant names it, rather than guessed.
 */
const METHOD_WORDS: Record<string, string> = {
  pwd: 'password',
  mfa: 'multi-factor authentication',
  federated: 'a social or enterprise connection',
  passkey: 'passkey',
  email: 'email code',
  sms: 'SMS code',
  otp: 'one-time password',
};

export const authMethodWords = (method: string) => METHOD_WORDS[method] ?? method;
