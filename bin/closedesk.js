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

// A job (server/jobs/<name>/cli.ts) on very large files holds their lines in typed arrays of GBs. On
// Linux, glibc's malloc backs them with transparent huge pages only when asked at process start
// (GLIBC_TUNABLES glibc.malloc.hugetlb=1); without, the kernel maps them 4 KB at a time, and on a
// virtual machine each first touch is a trap (~3 ms per MB): FIFO on 10M rows (664 MB) spent 6.6 s in
// the kernel, 3.8 s with huge pages. So such a job runs in a child started with the tunable (once: the
// child sees it set); this process forwards signals to it and ends as it did. The second start and
// the child's watch cost ~0.2 s of CPU, which a run on 1M rows (66 MB) did not win back: below
// CLOSEDESK_HUGE_PAGES_FROM bytes of input files (default 256 MB; "never": off) a job runs in place.
const HUGE_PAGES = 'glibc.malloc.hugetlb=1';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
function hugePagesFrom() {
  const v = process.env.CLOSEDESK_HUGE_PAGES_FROM;
  if (v === 'never') return Infinity;
  return v && /^\d+$/.test(v) ? Number(v) : 256 << 20;
}
function inputBytes(args) {
  let sum = 0;
  for (const a of args) {
    try {
      const s = fs.statSync(a);
      if (s.isFile()) sum += s.size;
    } catch {
      // not a file: an option or its value
    }
  }
  return sum;
}
function runJobWithHugePages() {
  const tunables = process.env.GLIBC_TUNABLES || '';
  const job = process.argv[2];
  if (process.platform !== 'linux' || /glibc\.malloc\.hugetlb=/.test(tunables) || !job || !/^[a-z-]+$/.test(job)) return false;
  if (!fs.existsSync(path.join(root, 'server', 'jobs', job, 'cli.ts')) || inputBytes(process.argv.slice(3)) < hugePagesFrom()) return false;
  const { spawn } = require('node:child_process');
  const child = spawn(process.execPath, [...process.execArgv, __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, GLIBC_TUNABLES: tunables ? `${tunables}:${HUGE_PAGES}` : HUGE_PAGES, CLOSEDESK_LAUNCHER_PID: String(process.pid) },
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
}
