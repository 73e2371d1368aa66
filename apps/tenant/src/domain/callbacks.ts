/**
 * Schemes that run or read instead of navigating: a form_post page's action, a redirect or a
 * logout to one would run script in the page, or read a file. Auth0 refuses them in callbacks
 * and logout URLs; a row stored before they were refused is not followed either.
 */
const SCRIPT_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:']);

/** Whether `url` (parsed, or as registered) has one of those schemes. */
export function runsScript(url: URL | string): boolean {
  if (typeof url !== 'string') return SCRIPT_SCHEMES.has(url.protocol);
  // As a URL parser reads a scheme: leading C0 controls and spaces, and tabs and newlines within, are dropped.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the C0 controls are what a URL parser drops.
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url.replace(/^[\u0000-\u0020]+/, '').replace(/[\t\n\r]/g, ''))?.[1];
  return scheme !== undefined && SCRIPT_SCHEMES.has(scheme.toLowerCase());
}
