#!/usr/bin/env node
// Biome's formatter wraps code at 120 columns but cannot break a string or a comment, so a long one stays long.
// This check catches those: no line of a tracked .ts/.tsx/.mjs/.js file may be longer than MAX characters.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX = 160;
const files = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.tsx', '*.mjs', '*.js'], { encoding: 'utf8' })
  .split('\0')
  .filter(Boolean);

let over = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    // A tracked file deleted in the work tree has nothing to check.
    if (error.code === 'ENOENT') continue;
    throw error;
  }
  text.split('\n').forEach((line, i) => {
    // Characters, not UTF-16 units: "—" and "›" count as one, as an editor shows them.
    const length = [...line.replace(/\r$/, '')].length;
    if (length > MAX) {
      over++;
      console.log(`${file}:${i + 1}: ${length} characters`);
    }
  });
}
if (over) {
  console.error(
    `${over} line(s) over ${MAX} characters: rewrap the comment, or split the string with + or a template.`,
  );
  process.exit(1);
}
