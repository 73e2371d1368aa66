#!/usr/bin/env node
// The end-to-end suite and the SDK suite's auth0-spa-js test (vitest) drive Debian's Chromium
// (Playwright's own browser download cannot work on these machines); `npm test` runs this
// first. Install it when we can (root, apt); otherwise say what to install.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);

const isRoot = process.getuid?.() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (isRoot && hasApt) {
  console.error(`Chromium not found at ${path}: installing Debian's chromium package...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  if (existsSync(path)) process.exit(0);
}
console.error(
  [
    `The end-to-end tests need Chromium at ${path}, and it is not there.`,
    'Install it with:  sudo apt-get install chromium',
    'or point CHROMIUM_PATH at a Chromium or Chrome binary.',
  ].join('\n'),
);
process.exit(1);
