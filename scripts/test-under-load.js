#!/usr/bin/env node
/*
 * `node scripts/test-under-load.js [--runs 3] [--load 2] [-- <npm test arguments>]`
 * The whole suite must pass with every core busy: this starts `--load` busy-loop processes (two by
 * default, one per core of the 2-core CI machine), runs `npm test` `--runs` times in a row while they
 * spin, stops them, and prints each run's summary line. Exit code 0 only if every run passed.
 */
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const passOn = dash >= 0 ? argv.slice(dash + 1) : [];

function option(name, fallback) {
  const i = own.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(own[i + 1]);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} needs a whole number, got "${own[i + 1]}"\n`);
    process.exit(2);
  }
  return n;
}

const runs = option('runs', 3);
const loadCount = option('load', 2);

// Busy loops: separate processes, so they compete with the suite for the cores as other work would.
const load = [];
for (let i = 0; i < loadCount; i++) load.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const stopLoad = () => {
  for (const p of load) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
};
process.on('exit', stopLoad);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => (stopLoad(), process.exit(130)));

/** One `npm test`, its output shown as it comes; resolves with its summary line and exit code. */
function npmTest() {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('npm', ['test', ...(passOn.length ? ['--', ...passOn] : [])], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let summary = '(no summary line: the run stopped early)';
    let pending = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop();
      for (const line of lines) if (/^\d+ passed, \d+ failed, \d+ skipped$/.test(line.trim())) summary = line.trim();
    });
    child.on('close', (code) => resolve({ summary, code: code ?? 1, minutes: (Date.now() - started) / 60000 }));
  });
}

(async () => {
  const results = [];
  process.stdout.write(`test-under-load: ${loadCount} busy loop(s) running; ${runs} run(s) of npm test${passOn.length ? ` -- ${passOn.join(' ')}` : ''}\n`);
  for (let i = 1; i <= runs; i++) {
    process.stdout.write(`\n##### run ${i} of ${runs} (under load) #####\n`);
    results.push(await npmTest());
  }
  stopLoad();
  process.stdout.write(`\ntest-under-load: ${loadCount} busy loop(s), ${runs} run(s)\n`);
  results.forEach((r, i) => process.stdout.write(`run ${i + 1}: ${r.summary}  (exit ${r.code}, ${r.minutes.toFixed(1)} min)\n`));
  process.exit(results.every((r) => r.code === 0) ? 0 : 1);
})();
