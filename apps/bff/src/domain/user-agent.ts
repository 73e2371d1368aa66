/// <reference path="../types/ua-parser-js.d.ts" />
import UAParser from 'ua-parser-js';

/**
 * User agents in a few words, parsed with ua-parser-js (1.x: MIT; 2.x is AGPL). Agents it
 * does not know (python-requests, curl, an app's own) are named by their product token, never
 * guessed as "Browser": a stolen token replayed from a script must look like a script.
 */

export interface Agent {
  /** "Chrome 126 on ChromeOS", "AcmeMobile 4.2.1 on iOS 18.1", "python-requests 2.31.0". */
  description: string;
  /** What a change of agent is judged by: "Chrome", "AcmeMobile", "python-requests". */
  family: string;
}

const OS_NAMES: Record<string, string> = { 'Chromium OS': 'ChromeOS', 'Mac OS': 'macOS' };

/** The first product token: "python-requests/2.31.0" -> python-requests, 2.31.0. */
function product(ua: string): { name: string; version: string | undefined } | undefined {
  const match = /^([A-Za-z][\w.+-]*)(?:\/([\w.]+))?/.exec(ua.trim());
  if (!match || match[1] === 'Mozilla') return undefined;
  return { name: match[1]!, version: match[2] };
}

/**
 * Parsed agents by their text. ua-parser-js runs hundreds of regular expressions per agent and
 * was the BFF's largest cost listing a page of tokens, whose agents are mostly the same few;
 * the least recently added goes once MAX_REMEMBERED are kept.
 */
const remembered = new Map<string, Agent>();
const MAX_REMEMBERED = 2_000;

export function parseAgent(ua: string | null | undefined): Agent | null {
  if (!ua) return null;
  let agent = remembered.get(ua);
  if (!agent) {
    agent = Object.freeze(parseUncached(ua));
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
    remembered.set(ua, agent);
  }
  return agent;
}

function parseUncached(ua: string): Agent {
  const result = new UAParser(ua).getResult();
  const osName = result.os.name ? (OS_NAMES[result.os.name] ?? result.os.name) : undefined;
  const os = osName
    ? `${osName}${result.os.version && osName !== 'ChromeOS' ? ` ${result.os.version}` : ''}`
    : undefined;
  const own = product(ua);
  // An app's own agent ("AcmeMobile/4.2.1 (iPhone; iOS 18.1)") names the app, not a browser.
  if (own && !result.browser.name) {
    return {
      family: own.name,
      description: `${own.name}${own.version ? ` ${own.version}` : ''}${os ? ` on ${os}` : ''}`,
    };
  }
  if (result.browser.name) {
    const browser = result.browser.name.replace(/^Mobile /, '');
    return {
      family: browser,
      description: `${browser}${result.browser.major ? ` ${result.browser.major}` : ''}${os ? ` on ${os}` : ''}`,
    };
  }
  return { family: 'Unknown', description: os ? `Unknown agent on ${os}` : 'Unknown agent' };
}

export const describeAgent = (ua: string | null | undefined): string | null => parseAgent(ua)?.description ?? null;
