#!/usr/bin/env node
// `npm test`: every stage in order, each one's time printed as it ends and all of them in a
// table at the end, so a slow run says where its minutes went. Stops at the first stage that
// fails, with that stage's exit code. Arguments after `--` go to vitest (`npm test -- -t name`).
import { spawn } from 'node:child_process';

const vitestArgs = process.argv.slice(2);
const stages = [
  { name: 'lint', command: 'npm', args: ['run', '--silent', 'lint'] },
  { name: 'chromium', command: 'node', args: ['scripts/ensure-chromium.mjs'] },
  { name: 'typecheck', command: 'npm', args: ['run', '--silent', 'typecheck'] },
  { name: 'unit and integration (vitest)', command: 'npx', args: ['vitest', 'run', ...vitestArgs] },
  { name: 'end-to-end (playwright)', command: 'npm', args: ['run', '--silent', 'test:e2e'] },
];

const seconds = (ms) => `${(ms / 1000).toFixed(0)} s`;

function run({ command, args }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', (err) => {
      console.error(err.message);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const started = Date.now();
const timings = [];
for (const stage of stages) {
  console.log(`\n=== ${stage.name}`);
  const stageStarted = Date.now();
  const code = await run(stage);
  const took = Date.now() - stageStarted;
  timings.push({ stage: stage.name, took: seconds(took), result: code === 0 ? 'passed' : `failed (${code})` });
  console.log(`=== ${stage.name}: ${code === 0 ? 'passed' : 'FAILED'} in ${seconds(took)}`);
  if (code !== 0) {
    console.table(timings);
    process.exit(code);
  }
}
console.table(timings);
console.log(`npm test passed in ${seconds(Date.now() - started)}`);
