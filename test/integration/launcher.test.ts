/**
 * bin/closedesk.js runs a job on large files in a child started with glibc's huge pages
 * (GLIBC_TUNABLES glibc.malloc.hugetlb=1), and no job outlives its launcher. The job's first input is
 * a named pipe: opening it blocks until the test opens the other end, so the processes can be looked
 * at while the job runs, with no timing assumption. Linux only (/proc, mkfifo).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const LAUNCHER = path.join(ROOT, 'bin', 'closedesk.js');
const onLinux = process.platform === 'linux' ? describe : describe.skip;

/** Child processes of pid (Linux /proc; [] once it is gone). */
function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter((s) => s.trim())
      .map(Number);
  } catch {
    return [];
  }
}

/** Whether pid has ended (gone, or a zombie nobody has reaped yet). */
function ended(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
  } catch {
    return true;
  }
}

function environ(pid: number): Record<string, string> {
  const pairs = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}

/** Polls until `check` gives a value (a condition, not a time: jest's timeout ends a test that waits forever). */
async function until<T>(check: () => T | undefined | false): Promise<T> {
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether a process waits to read the pipe (opening its writing end without blocking succeeds then; the reader then reads an empty file). */
function readerWaiting(pipe: string): boolean {
  try {
    fs.closeSync(fs.openSync(pipe, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') return false;
    throw err;
  }
}

onLinux('closedesk launcher', () => {
  let dir: string;
  let env: Record<string, string>;
  const running: ChildProcess[] = [];
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-launcher-'));
    // a job with 1 KB of input or more runs with huge pages here (the default threshold is 256 MB)
    env = { CLOSEDESK_DATA_DIR: dir, CLOSEDESK_HTTPS: 'off', CLOSEDESK_HUGE_PAGES_FROM: '1024', PATH: process.env.PATH ?? '' };
    fs.writeFileSync(path.join(dir, 'big.csv'), 'x'.repeat(1024));
  });
  afterEach(() => {
    for (const p of running.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** `closedesk tuition <pipe> [big.csv]`: blocked opening the pipe until the test opens it. */
  function startJob(name: string, big: boolean): { launcher: ChildProcess; pipe: string; output: Promise<string> } {
    const pipe = path.join(dir, `${name}.csv`);
    expect(spawnSync('mkfifo', [pipe]).status).toBe(0);
    const files = big ? [pipe, path.join(dir, 'big.csv')] : [pipe];
    const launcher = spawn(process.execPath, [LAUNCHER, 'tuition', ...files, '--month', '2024-11', '--out', path.join(dir, `out-${name}`), '--threads', '1'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(launcher);
    let text = '';
    launcher.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    launcher.stderr!.on('data', (d: Buffer) => (text += d.toString()));
    const output = once(launcher, 'close').then(() => text);
    return { launcher, pipe, output };
  }

  test('a job on large files runs in a child with huge pages; its output and exit code come through', async () => {
    const { launcher, pipe, output } = startJob('large', true);
    const child = await until(() => childrenOf(launcher.pid!)[0]);
    // A child seen between fork and exec still has the launcher's environment: wait for the job's own
    // (the launcher gives it CLOSEDESK_LAUNCHER_PID with the tunable), then look at the tunable.
    const jobEnv = await until(() => {
      const e = environ(child);
      return 'CLOSEDESK_LAUNCHER_PID' in e && e;
    });
    expect(jobEnv.GLIBC_TUNABLES).toContain('glibc.malloc.hugetlb=1');
    await until(() => readerWaiting(pipe)); // lets the job go on: the pipe reads as an empty file
    const text = await output;
    expect(launcher.exitCode).toBe(2);
    expect(text).toContain('large.csv is empty.');
    expect(text).toContain('big.csv: unknown layout');
  });

  test('a signal to the launcher reaches the job, and the launcher ends by it', async () => {
    const { launcher, pipe, output } = startJob('term', true);
    const child = await until(() => childrenOf(launcher.pid!)[0]);
    launcher.kill('SIGTERM');
    await output;
    expect(launcher.signalCode).toBe('SIGTERM');
    await until(() => ended(child));
    expect(readerWaiting(pipe)).toBe(false);
  });

  test('a launcher killed outright (SIGKILL) takes its job with it', async () => {
    const { launcher, pipe } = startJob('kill', true);
    const child = await until(() => childrenOf(launcher.pid!)[0]);
    launcher.kill('SIGKILL');
    await once(launcher, 'exit');
    // the job waits to open the pipe (never opened here): it can only end by its watch on the launcher
    await until(() => ended(child));
    expect(readerWaiting(pipe)).toBe(false);
  });

  test('a job on small files runs in the launcher itself', async () => {
    const { launcher, pipe, output } = startJob('small', false);
    await until(() => readerWaiting(pipe));
    expect(childrenOf(launcher.pid!)).toEqual([]);
    const text = await output;
    expect(launcher.exitCode).toBe(2);
    expect(text).toContain('small.csv is empty.');
  });
});

describe('when a job runs with huge pages (bin/huge-pages.js)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { hugePagesFor } = require('../../bin/huge-pages.js') as { hugePagesFor(args: string[], env?: NodeJS.ProcessEnv): boolean };
  const file = path.join(os.tmpdir(), `closedesk-huge-${process.pid}.csv`);
  beforeAll(() => fs.writeFileSync(file, 'x'.repeat(2048)));
  afterAll(() => fs.rmSync(file, { force: true }));

  (process.platform === 'linux' ? test : test.skip)('from the threshold of input file bytes; options, folders and a tunable already set do not count', () => {
    expect(hugePagesFor([file, '--out', os.tmpdir(), '--month', '2024-11'], { CLOSEDESK_HUGE_PAGES_FROM: '2048' })).toBe(true);
    expect(hugePagesFor([file, '--out', os.tmpdir()], { CLOSEDESK_HUGE_PAGES_FROM: '2049' })).toBe(false);
    expect(hugePagesFor([file, file], { CLOSEDESK_HUGE_PAGES_FROM: '4096' })).toBe(true);
    expect(hugePagesFor([file], { CLOSEDESK_HUGE_PAGES_FROM: 'never' })).toBe(false);
    expect(hugePagesFor([file], {})).toBe(false); // 2 KB is far below the default 256 MB
    expect(hugePagesFor([file], { CLOSEDESK_HUGE_PAGES_FROM: '1', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' })).toBe(false);
    expect(hugePagesFor([file], { CLOSEDESK_HUGE_PAGES_FROM: '1', GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })).toBe(true);
  });
});
