// When a closedesk job runs with huge pages (bin/closedesk.js starts it so; the benchmarks give its
// peers the same setting). A job on very large files holds their lines in typed arrays of GBs. On
// Linux, glibc's malloc backs them with transparent huge pages only when asked at process start
// (GLIBC_TUNABLES glibc.malloc.hugetlb=1); without, the kernel maps them 4 KB at a time, and on a
// virtual machine each first touch is a trap (~3 ms per MB): FIFO on 10M rows (664 MB) spent 6.6 s in
// the kernel, 3.8 s with huge pages. Starting the job again with the tunable and watching it cost
// ~0.2 s of CPU, which a run on 1M rows (66 MB) did not win back: below CLOSEDESK_HUGE_PAGES_FROM
// bytes of input files (default 256 MB; "never": off) a job runs as started. A GLIBC_TUNABLES that
// sets glibc.malloc.hugetlb already is kept as it is.
'use strict';
const fs = require('node:fs');

const HUGE_PAGES = 'glibc.malloc.hugetlb=1';

function threshold(env) {
  const v = env.CLOSEDESK_HUGE_PAGES_FROM;
  if (v === 'never') return Infinity;
  return v && /^\d+$/.test(v) ? Number(v) : 256 << 20;
}

/** The bytes of the arguments that name files (the rest are options and their values). */
function inputBytes(args) {
  let sum = 0;
  for (const a of args) {
    try {
      const s = fs.statSync(a);
      if (s.isFile()) sum += s.size;
    } catch {
      // not a file
    }
  }
  return sum;
}

/** The environment with the tunable added to any it holds. */
function withHugePages(env) {
  const tunables = env.GLIBC_TUNABLES || '';
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:${HUGE_PAGES}` : HUGE_PAGES };
}

/** Whether a job given these arguments is to run with huge pages (and does not already). */
function hugePagesFor(args, env = process.env) {
  if (process.platform !== 'linux' || /glibc\.malloc\.hugetlb=/.test(env.GLIBC_TUNABLES || '')) return false;
  return inputBytes(args) >= threshold(env);
}

module.exports = { hugePagesFor, withHugePages };
