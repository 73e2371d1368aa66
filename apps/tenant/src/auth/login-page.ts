import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f4f5f7; color: #1f2328; }
  main { width: min(360px, 92vw); background: #fff; border-radius: 8px; padding: 32px; box-shadow: 0 1px 3px #0002; }
  h1 { font-size: 1.4rem; margin: 0 0 4px; }
  p { margin: 0 0 20px; color: #57606a; }
  label { display: block; font-size: .9rem; margin: 12px 0 4px; }
  input { width: 100%; box-sizing: border-box; padding: 10px; border: 1px solid #8c959f; border-radius: 6px; font: inherit; }
  button { width: 100%; margin-top: 20px; padding: 10px; border: 0; border-radius: 6px; background: #635dff; color: #fff; font: inherit; cursor: pointer; }
  .error { background: #ffebe9; color: #82071e; border-radius: 6px; padding: 8px 12px; margin-bottom: 12px; }
  @media (prefers-color-scheme: dark) { body { background: #0d1117; color: #e6edf3; } main { background: #161b22; } p { color: #9198a1; } }
`;

/** Pages of the tenant's Universal Login; no script at all, styles by CSP nonce. */
export function page(nonce: string, title: string, body: HtmlEscapedString | Promise<HtmlEscapedString>) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style nonce="${nonce}">${raw(STYLE)}</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

export function loginForm(input: { nonce: string; tx: string; clientName: string; email?: string; error?: string }) {
  return page(
    input.nonce,
    'Log in',
    html`<h1>Welcome</h1>
<p>Log in to continue to ${input.clientName}.</p>
${input.error ? html`<div class="error" role="alert">${input.error}</div>` : ''}
<form method="post" action="/u/login">
  <input type="hidden" name="tx" value="${input.tx}">
  <label for="username">Email address</label>
  <input id="username" name="username" type="email" autocomplete="username" required value="${input.email ?? ''}" autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Continue</button>
</form>`,
  );
}

export function messagePage(nonce: string, title: string, message: string) {
  return page(nonce, title, html`<h1>${title}</h1><p role="alert">${message}</p>`);
}
