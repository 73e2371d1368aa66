// Run by https.test.ts in a process of its own, with NODE_EXTRA_CA_CERTS naming the tenant's
// local CA, exactly as the README tells a user to: the auth0 SDK (v7) set up as its own
// documentation says for an Auth0 tenant, `{ domain, clientId, clientSecret }`, nothing more.
import { ManagementClient } from 'auth0';
import { AuthenticationClient } from 'auth0/legacy';

const [domain, clientId, clientSecret] = process.argv.slice(2);
const result = {};
try {
  const management = new ManagementClient({ domain, clientId, clientSecret });
  const user = await management.users.create({
    connection: 'Username-Password-Authentication',
    email: 'sdk@https.test',
    password: 'a passphrase for the sdk test',
  });
  result.userId = user.user_id;
  const app = await management.clients.create({
    name: 'SDK over HTTPS',
    app_type: 'regular_web',
    grant_types: ['password', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_post',
    refresh_token: {
      rotation_type: 'rotating',
      expiration_type: 'expiring',
      leeway: 0,
      token_lifetime: 86400,
      idle_token_lifetime: 3600,
      infinite_token_lifetime: false,
      infinite_idle_token_lifetime: false,
    },
  });

  const auth = new AuthenticationClient({ domain, clientId: app.client_id, clientSecret: app.client_secret });
  const signedIn = await auth.oauth.passwordGrant({
    username: 'sdk@https.test',
    password: 'a passphrase for the sdk test',
    scope: 'openid email offline_access',
  });
  result.idTokenIssuer = JSON.parse(Buffer.from(signedIn.data.id_token.split('.')[1], 'base64url').toString()).iss;
  const refreshed = await auth.oauth.refreshTokenGrant({ refresh_token: signedIn.data.refresh_token });
  result.rotated = refreshed.data.refresh_token !== signedIn.data.refresh_token;
  result.tokensListed = (await management.users.refreshToken.list(user.user_id)).data.length;
  // A rotating token: without a type Auth0 lists none of those (the SDK's ListDeviceCredentialsRequestParameters).
  result.devices = (
    await management.deviceCredentials.list({ user_id: user.user_id, type: 'rotating_refresh_token' })
  ).data.length;
  result.sessions = (await management.users.sessions.list(user.user_id)).data.length;
  result.grants = (await management.userGrants.list({ user_id: user.user_id })).data.length;
  await auth.oauth.revokeRefreshToken({ token: refreshed.data.refresh_token });
  try {
    await auth.oauth.refreshTokenGrant({ refresh_token: refreshed.data.refresh_token });
    result.afterRevoke = 'exchanged';
  } catch (err) {
    result.afterRevoke = err.body ? JSON.parse(err.body).error : String(err);
  }
} catch (err) {
  result.error = `${err.constructor?.name}: ${err.message} ${err.body ?? ''}`;
}
console.log(JSON.stringify(result));
