#!/usr/bin/env node
// closedesk CLI: runs the compiled CLI (dist/server/cli.js) when it is built and newer than the
// sources, otherwise the TypeScript sources through tsx, so it works straight from a clone and a
// stale build never runs old code.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const built = path.join(root, 'dist', 'server', 'cli.js');
function newest(dir) {
  let m = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    m = Math.max(m, e.isDirectory() ? newest(p) : /\.ts$/.test(e.name) ? fs.statSync(p).mtimeMs : 0);
  }
  return m;
}

const { hugePagesFor, withHugePages } = require('./huge-pages');
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

// A job on very large files runs in a child started with glibc's huge pages (./huge-pages.js says
// when and why); this process forwards signals to it and ends as it did.
function runJobWithHugePages() {
  const job = process.argv[2];
  if (!job || !/^[a-z-]+$/.test(job) || !fs.existsSync(path.join(root, 'server', 'jobs', job, 'cli.ts')) || !hugePagesFor(process.argv.slice(3))) return false;
  const { spawn } = require('node:child_process');
  const child = spawn(process.execPath, [...process.execArgv, __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...withHugePages(process.env), CLOSEDESK_LAUNCHER_PID: String(process.pid) },
  });
  const forward = (signal) => child.kill(signal);
  for (const signal of SIGNALS) process.on(signal, forward);
  child.on('error', (err) => {
    process.stderr.write(`${(err && err.stack) || err}\n`);
    process.exitCode = 1;
  });
  child.on('exit', (code, signal) => {
    for (const s of SIGNALS) process.off(s, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exitCode = code;
  });
  return true;
}

// The child: a launcher killed outright (SIGKILL) cannot forward it, and a job's work is mostly
// synchronous, so a thread watches the launcher and ends the job as soon as it is gone: a scheduler
// that kills and restarts a job never has two writing the same outputs.
const launcherPid = Number(process.env.CLOSEDESK_LAUNCHER_PID);
if (launcherPid) {
  delete process.env.CLOSEDESK_LAUNCHER_PID; // (not for the job's own child processes)
  if (process.ppid !== launcherPid) process.exit(1); // gone already
  const { Worker } = require('node:worker_threads');
  const watch = `setInterval(() => { if (process.ppid !== ${launcherPid}) process.kill(process.pid, 'SIGKILL'); }, 200);`;
  new Worker(watch, { eval: true }).unref();
}

if (!runJobWithHugePages()) runCli();

function runCli() {
  let cli;
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= Math.max(...['server', 'src', 'platform'].map((d) => newest(path.join(root, d))))) {
    cli = require(built);
  } else {
    require('tsx/cjs');
    cli = require(path.join(root, 'server', 'cli.ts'));
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
}
