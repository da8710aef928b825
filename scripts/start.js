#!/usr/bin/env node
/*
 * `npm start`: the main job on one machine.
 *   1. demo data for every job in the datasets folder (generated once, deterministic)
 *   2. the add-in build (webpack) when dist/ is missing or older than its sources
 *   3. the backend (embedded SQLite store), the demo file-transfer target, serving the add-in
 * ensure-deps.js has already installed what was missing (prestart).
 */
'use strict';
const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function newestMtime(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((m, f) => Math.max(m, newestMtime(path.join(p, f))), 0);
}

const built = path.join(root, 'dist', 'taskpane.html');
const sources = ['src', 'taskpane', 'functions', 'commands', 'assets', 'manifest.xml', 'webpack.config.js'].map((p) => path.join(root, p));
if (!fs.existsSync(built) || Math.max(...sources.map(newestMtime)) > fs.statSync(built).mtimeMs) {
  process.stdout.write('Building the add-in (webpack)…\n');
  const r = spawnSync(bin('webpack'), ['--mode', 'production'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status || 1);
}

const child = spawn(bin('tsx'), [path.join(root, 'scripts', 'start-all.ts')], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
