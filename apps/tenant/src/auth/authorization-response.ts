import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import { randomSecret } from '../crypto/secrets.ts';
import { webMessageOrigins } from '../domain/origins.ts';
import type { ClientRecord } from '../domain/model.ts';
import { redirectTo } from './browser-flow.ts';

/**
 * How /authorize answers the client (`response_mode`): `query` (RFC 6749 4.1.2, a redirect),
 * `form_post` (OAuth 2.0 Form Post Response Mode: a page that POSTs the parameters to the
 * redirect_uri) and Auth0's `web_message` (a page that posts them to the window that opened
 * it, or the page framing it, as auth0-spa-js's loginWithPopup and silent authentication
 * expect). Auth0 also serves `fragment`; this tenant does not.
 */
export const RESPONSE_MODES = ['query', 'form_post', 'web_message'] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

export const isResponseMode = (value: string): value is ResponseMode =>
  (RESPONSE_MODES as readonly string[]).includes(value);

interface Destination {
  redirect_uri: string;
  /** Absent in a login transaction started before response modes existed: query. */
  response_mode?: ResponseMode;
}

/**
 * Why the response cannot be delivered as asked, or undefined when it can. web_message posts
 * to the redirect_uri's origin, which must be one of the client's Allowed Web Origins (Auth0
 * refuses otherwise): a page may only hand a code to an origin the client named for it.
 */
export function undeliverable(client: Pick<ClientRecord, 'web_origins'>, to: Destination): string | undefined {
  if (to.response_mode !== 'web_message') return undefined;
  const origin = new URL(to.redirect_uri).origin;
  if (webMessageOrigins(client).allows(origin)) return undefined;
  return (
    `The origin ${origin.slice(0, 200)} of the redirect_uri is not among the application's Allowed Web Origins ` +
    '(web_origins), which response_mode=web_message needs.'
  );
}

/**
 * A value inside an inline script: JSON, with what could end the script or the line escaped
 * (`<`, `>`, `&`, U+2028, U+2029), so no state or description can break out.
 */
const scriptLiteral = (value: unknown) =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The headers of a response page: its only script is its own (by nonce), and it can be framed
 * only by `frameAncestor` (the web_message origin; silent authentication runs in an iframe).
 */
function pageHeaders(c: Context, nonce: string, formAction: string, frameAncestor: string) {
  c.header(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; form-action ${formAction}; frame-ancestors ${frameAncestor}; base-uri 'none'`,
  );
  c.header('Cache-Control', 'no-store');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
}

/** Sends the authorization response (a code, or an error) the way the request asked. Check `undeliverable` first. */
export function respond(c: Context, to: Destination, params: Record<string, string | null>) {
  const present = Object.fromEntries(
    Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== null),
  );
  const mode = to.response_mode ?? 'query';
  if (mode === 'query') return redirectTo(c, to.redirect_uri, params);
  const nonce = randomSecret(16);
  if (mode === 'form_post') {
    const target = new URL(to.redirect_uri);
    pageHeaders(
      c,
      nonce,
      target.protocol === 'http:' || target.protocol === 'https:' ? target.origin : target.protocol,
      "'none'",
    );
    const fields = Object.entries(present).map(
      ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
    );
    return c.html(
      html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Submit This Form</title></head>
<body><form method="post" action="${to.redirect_uri}">${fields}<noscript><button type="submit">Continue</button></noscript></form>
<script nonce="${nonce}">document.forms[0].submit();</script></body></html>`,
      200,
    );
  }
  // web_message: Auth0's page, which auth0-spa-js reads as `event.data.type === 'authorization_response'`
  // and `event.data.response` ({code, state} or {error, error_description, state}), from the tenant's origin.
  const targetOrigin = new URL(to.redirect_uri).origin;
  pageHeaders(c, nonce, "'none'", targetOrigin);
  const script = `(function () {
  var targetOrigin = ${scriptLiteral(targetOrigin)};
  var authorizationResponse = { type: "authorization_response", response: ${scriptLiteral(present)} };
  var mainWin = window.opener ? window.opener : window.parent;
  mainWin.postMessage(authorizationResponse, targetOrigin);
})();`;
  return c.html(
    html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorization Response</title></head>
<body><script nonce="${nonce}">${raw(script)}</script></body></html>`,
    200,
  );
}
