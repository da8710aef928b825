#!/usr/bin/env node
/*
 * `npm test`: every test, in the order that fails fastest.
 *   1. type checks (engine purity: src/ compiles with no DOM and no Node types)
 *   2. unit + integration tests (jest; integration starts a real PostgreSQL, FTP and SFTP server)
 *   3. the add-in build (webpack: task pane, custom functions, commands, functions.json, manifest)
 *   4. end-to-end tests (Playwright driving Debian's Chromium against the built add-in and a real server)
 * Extra arguments go to jest in step 2 (e.g. `npm test -- src/fifo`), and then steps 3–4 are skipped.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const extra = process.argv.slice(2);
const summary = { passed: 0, failed: 0, skipped: 0 };
const t0 = Date.now();

function step(title, cmd, args, opts = {}) {
  const started = Date.now();
  process.stdout.write(`\n=== ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' }, ...opts });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    process.stdout.write(`=== ${title}: FAILED after ${secs}s\n`);
    finish(r.status || 1);
  }
  process.stdout.write(`=== ${title}: ok (${secs}s)\n`);
}

function jest(title, args) {
  const out = path.join(root, 'test-results', `${title.replace(/\W+/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const started = Date.now();
  process.stdout.write(`\n=== ${title}\n`);
  const r = spawnSync(bin('jest'), [...args, '--json', `--outputFile=${out}`], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  try {
    const j = JSON.parse(fs.readFileSync(out, 'utf8'));
    summary.passed += j.numPassedTests;
    summary.failed += j.numFailedTests + (j.numRuntimeErrorTestSuites || 0);
    summary.skipped += j.numPendingTests + j.numTodoTests;
  } catch {
    summary.failed += 1;
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    process.stdout.write(`=== ${title}: FAILED after ${secs}s\n`);
    finish(r.status || 1);
  }
  process.stdout.write(`=== ${title}: ok (${secs}s)\n`);
}

function finish(code) {
  const mins = ((Date.now() - t0) / 60000).toFixed(1);
  process.stdout.write(`\nnpm test finished in ${mins} min\n`);
  process.stdout.write(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped\n`);
  process.exit(code);
}

if (extra.length) {
  jest('selected tests', ['--maxWorkers=2', ...extra]);
  finish(0);
}
step('type check: engine (no DOM, no Node)', bin('tsc'), ['-p', 'tsconfig.src.json']);
step('type check: server, CLI, tests', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
step('type check: task pane and functions', bin('tsc'), ['-p', 'tsconfig.taskpane.json', '--noEmit']);
jest('unit and integration tests', ['--maxWorkers=2']);
step('add-in build (webpack)', bin('webpack'), ['--mode', 'production']);
jest('end-to-end tests (Chromium)', ['-c', 'jest.e2e.config.js', '--runInBand']);
finish(0);
