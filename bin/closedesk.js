#!/usr/bin/env node
// closedesk CLI: runs the compiled CLI (dist/server/cli.js) when it is built and newer than the
// sources, otherwise the TypeScript sources through tsx, so it works straight from a clone and a
// stale build never runs old code.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const built = path.join(__dirname, '..', 'dist', 'server', 'cli.js');
function newest(dir) {
  let m = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    m = Math.max(m, e.isDirectory() ? newest(p) : /\.ts$/.test(e.name) ? fs.statSync(p).mtimeMs : 0);
  }
  return m;
}
const root = path.join(__dirname, '..');
let cli;
if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= Math.max(...['server', 'src', 'platform'].map((d) => newest(path.join(root, d))))) {
  cli = require(built);
} else {
  require('tsx/cjs');
  cli = require(path.join(__dirname, '..', 'server', 'cli.ts'));
}
cli.runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`${(err && err.stack) || err}\n`);
    process.exitCode = 1;
  },
);
