/**
 * `npm run bench -- delivery [--mb 100] [--files 4] [--rounds 5]`: CloseDesk's partner delivery (sendFile: temporary
 * name, size check, rename) against the usual command-line clients, on loopback, in one run:
 *   FTP  — CloseDesk (basic-ftp) vs `curl -T`, the same FTP server (ftp-srv in its own process);
 *   SFTP — CloseDesk (ssh2, pinned host key) vs OpenSSH's `sftp`, the same sshd.
 * Every contender runs in its own process, as the peers do: CloseDesk's sender is this file's `send`
 * compiled to JavaScript (bench/lib/measure.ts compiledNode), so neither this harness's TypeScript
 * loader nor its heap is charged to it. Its time is what it reports, from opening the connection to the
 * last file renamed and the connection closed — a server sends from a process already running; the
 * process's wall time, Node's start-up included, is printed beside it. The peers' times are their
 * processes' wall times (each curl connects and signs in per file).
 * Prints MB/s for each and CloseDesk/peer ratios (targets: ≥ 0.9 FTP, ≥ 0.8 SFTP). Nothing is asserted.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { describeLocalFile, sendFile } from '../server/delivery/upload';
import type { Credential, Endpoint, FileToSend } from '../server/delivery/types';
import { SessionPool } from '../server/delivery/session';
import { startSshd } from '../test/servers/sshd';
import { arg, compiledNode, loadAverage } from './lib/measure';

function writeRandomFile(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  const chunk = randomBytes(1 << 20);
  for (let left = bytes; left > 0; left -= chunk.length) {
    chunk[0] = left & 0xff; // no two MiB alike
    fs.writeSync(fd, chunk, 0, Math.min(left, chunk.length));
  }
  fs.closeSync(fd);
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

/** What the harness hands the compiled sender: one endpoint, its credential, the files (hashed at preparation). */
interface SendJob {
  endpoint: Endpoint;
  credential: Credential;
  files: FileToSend[];
  /** Send the bytes from memory, read before the clock starts, as deliverBatch sends a stored blob. */
  fromMemory?: boolean;
}

/**
 * The CloseDesk contender, in its own process (`node bench/out/delivery-send.cjs <job.json>`): sends the
 * files as a batch is sent — one connection per partner, reused for its files — and prints its time.
 */
export async function send(args: string[]): Promise<void> {
  const job = JSON.parse(fs.readFileSync(args[0]!, 'utf8')) as SendJob;
  const files = job.fromMemory ? job.files.map((f) => ({ ...f, data: fs.readFileSync((f.data as { path: string }).path) })) : job.files;
  const t0 = process.hrtime.bigint();
  const pool = new SessionPool();
  for (const f of files) await sendFile(job.endpoint, job.credential, f, { retry: { attempts: 1 }, pool });
  await pool.closeAll();
  process.stdout.write(JSON.stringify({ seconds: seconds(t0) }) + '\n');
}

/** Runs the compiled sender on a job; its own time, and its process's wall time. */
function runSender(sender: string, jobFile: string): { seconds: number; wall: number } {
  const t0 = process.hrtime.bigint();
  const out = execFileSync(process.execPath, [sender, jobFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const wall = seconds(t0);
  return { seconds: (JSON.parse(out.trim().split('\n').pop()!) as { seconds: number }).seconds, wall };
}

function clear(dir: string): void {
  for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f), { force: true });
}

async function startFtpProcess(root: string, user: string, password: string): Promise<{ port: number; proc: ChildProcess }> {
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const proc = spawn(tsx, [path.join(__dirname, '..', 'test', 'servers', 'ftp-process.ts'), root, user, password], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: proc.stdout! }).once('line', resolve);
    proc.once('exit', (c) => reject(new Error(`FTP server exited (${c})`)));
  });
  return { port: (JSON.parse(line) as { port: number }).port, proc };
}

export async function main(args: string[]): Promise<void> {
  const mb = arg(args, '--mb', 100);
  const count = arg(args, '--files', 4);
  const bytes = mb * 1024 * 1024;
  const total = (bytes * count) / 1e6;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-bench-delivery-'));
  const src = path.join(work, 'src');
  const ftpRoot = path.join(work, 'ftp');
  const sftpIn = path.join(work, 'sftp-in');
  for (const d of [src, path.join(ftpRoot, 'in'), sftpIn]) fs.mkdirSync(d, { recursive: true });
  process.stdout.write(`Writing ${count} × ${mb} MiB random files…\n`);
  const files: FileToSend[] = [];
  for (let i = 1; i <= count; i++) {
    const p = path.join(src, `CB_${i}.csv`);
    writeRandomFile(p, bytes);
    files.push(await describeLocalFile(p, `CB_${i}.csv`)); // hashing is done at preparation, not while sending
  }

  // The source files' writes reach the disk now, not during the first contender's run.
  execFileSync('sync');

  const ftp = await startFtpProcess(ftpRoot, 'bench', 'bench-pw');
  const sshd = await startSshd(path.join(work, 'sshd'));
  const sender = compiledNode(__filename, 'send');
  const rounds = arg(args, '--rounds', 5);
  process.stdout.write(`${loadAverage()} at the start\n`);
  // The machine is shared: each contender runs `rounds` times, alternating; its best time counts, its median is shown.
  const times = new Map<string, { seconds: number; wall?: number }[]>();
  try {
    const job = (name: string, j: SendJob) => {
      const file = path.join(work, `${name}.json`);
      fs.writeFileSync(file, JSON.stringify(j));
      return file;
    };
    const ftpJob = job('ftp', { endpoint: { protocol: 'ftp', host: '127.0.0.1', port: ftp.port, username: 'bench', folder: 'in' }, credential: { password: 'bench-pw' }, files });
    const ftpMemoryJob = job('ftp-memory', { ...JSON.parse(fs.readFileSync(ftpJob, 'utf8')), fromMemory: true });
    const sftpJob = job('sftp', {
      endpoint: { protocol: 'sftp', host: '127.0.0.1', port: sshd.port, username: 'root', folder: sftpIn, hostFingerprint: sshd.hostFingerprint },
      credential: { privateKey: sshd.clientKey },
      files,
    });

    const batch = path.join(work, 'sftp-batch');
    fs.writeFileSync(batch, files.map((f) => `put ${(f.data as { path: string }).path} ${sftpIn}/${f.fileName}\n`).join(''));
    const known = path.join(work, 'known_hosts');
    fs.writeFileSync(known, `[127.0.0.1]:${sshd.port} ${fs.readFileSync(path.join(sshd.dir, 'host_ed25519.pub'), 'utf8')}`);
    /** A peer's time: its processes' wall time. */
    const wallOf = (fn: () => void) => {
      const t0 = process.hrtime.bigint();
      fn();
      return { seconds: seconds(t0) };
    };
    const contenders: { label: string; run: () => { seconds: number; wall?: number }; dir: string }[] = [
      { label: 'FTP  CloseDesk (basic-ftp)', dir: path.join(ftpRoot, 'in'), run: () => runSender(sender, ftpJob) },
      {
        label: 'FTP  curl -T',
        dir: path.join(ftpRoot, 'in'),
        run: () =>
          wallOf(() => {
            for (const f of files)
              execFileSync('curl', ['-sS', '--fail', '-T', (f.data as { path: string }).path, '--user', 'bench:bench-pw', `ftp://127.0.0.1:${ftp.port}/in/${f.fileName}`]);
          }),
      },
      { label: 'SFTP CloseDesk (ssh2)', dir: sftpIn, run: () => runSender(sender, sftpJob) },
      {
        label: 'SFTP OpenSSH sftp',
        dir: sftpIn,
        run: () =>
          wallOf(() =>
            execFileSync('sftp', ['-q', '-b', batch, '-i', sshd.clientKeyPath, '-o', `UserKnownHostsFile=${known}`, '-o', 'StrictHostKeyChecking=yes', '-P', String(sshd.port), 'root@127.0.0.1'], { stdio: 'ignore' }),
          ),
      },
      // What deliverBatch does: the approved bytes come from the store as a buffer (read before the clock starts).
      { label: 'FTP  CloseDesk, bytes in memory', dir: path.join(ftpRoot, 'in'), run: () => runSender(sender, ftpMemoryJob) },
    ];
    for (let round = 1; round <= rounds; round++) {
      // Alternate the order so neither side always runs right after the other's disk writes.
      const order = round % 2 ? contenders : [contenders[1]!, contenders[0]!, contenders[3]!, contenders[2]!, contenders[4]!];
      for (const c of order) {
        const t = c.run();
        times.set(c.label, [...(times.get(c.label) ?? []), t]);
        clear(c.dir);
        execFileSync('sync');
      }
    }
    process.stdout.write(`\n${count} × ${mb} MiB (${total.toFixed(0)} MB) to loopback servers, best of ${rounds} (${loadAverage()} at the end)\n`);
    const best = new Map<string, number>();
    for (const c of contenders) {
      const runs = [...times.get(c.label)!].sort((a, b) => a.seconds - b.seconds);
      const top = runs[0]!;
      const median = runs[Math.floor(runs.length / 2)]!.seconds;
      best.set(c.label, top.seconds);
      const wall = top.wall === undefined ? '' : `  (its process ${top.wall.toFixed(2)} s with Node's start-up)`;
      process.stdout.write(`${c.label.padEnd(32)} ${top.seconds.toFixed(2).padStart(7)} s  ${(total / top.seconds).toFixed(1).padStart(7)} MB/s  median ${median.toFixed(2)} s${wall}\n`);
    }
    const ratio = (a: string, b: string) => (best.get(b)! / best.get(a)!).toFixed(2);
    process.stdout.write(`\nFTP  ratio CloseDesk / curl -T : ${ratio('FTP  CloseDesk (basic-ftp)', 'FTP  curl -T')}  (target ≥ 0.9)\n`);
    process.stdout.write(`SFTP ratio CloseDesk / sftp    : ${ratio('SFTP CloseDesk (ssh2)', 'SFTP OpenSSH sftp')}  (target ≥ 0.8)\n`);
    process.stdout.write(`FTP  ratio CloseDesk from memory (as a batch is sent) / curl -T : ${ratio('FTP  CloseDesk, bytes in memory', 'FTP  curl -T')}\n`);
  } finally {
    ftp.proc.kill('SIGTERM');
    await sshd.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
