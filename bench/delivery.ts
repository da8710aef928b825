/**
 * `npm run bench -- delivery [--mb 100] [--files 4] [--rounds 3]`: CloseDesk's partner delivery (sendFile: temporary
 * name, size check, rename) against the usual command-line clients, on loopback, in one run:
 *   FTP  — CloseDesk (basic-ftp) vs `curl -T`, the same FTP server (ftp-srv in its own process);
 *   SFTP — CloseDesk (ssh2, pinned host key) vs OpenSSH's `sftp`, the same sshd.
 * Prints MB/s for each and CloseDesk/peer ratios (targets: ≥ 0.9 FTP, ≥ 0.8 SFTP). Nothing is asserted.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { describeLocalFile, sendFile } from '../server/delivery/upload';
import type { Endpoint, FileToSend } from '../server/delivery/types';
import { SessionPool } from '../server/delivery/session';
import { startSshd } from '../test/servers/sshd';

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

function writeRandomFile(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  const chunk = randomBytes(1 << 20);
  for (let left = bytes; left > 0; left -= chunk.length) {
    chunk[0] = left & 0xff; // no two MiB alike
    fs.writeSync(fd, chunk, 0, Math.min(left, chunk.length));
  }
  fs.closeSync(fd);
}

async function timed(fn: () => Promise<void> | void): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
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
  const mb = arg(args, 'mb', 100);
  const count = arg(args, 'files', 4);
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

  const ftp = await startFtpProcess(ftpRoot, 'bench', 'bench-pw');
  const sshd = await startSshd(path.join(work, 'sshd'));
  const retry = { attempts: 1 };
  const rounds = arg(args, 'rounds', 3);
  // The machine is shared: each contender runs `rounds` times, alternating, and its best time counts.
  const best = new Map<string, number>();
  const record = (label: string, s: number) => best.set(label, Math.min(best.get(label) ?? Infinity, s));
  try {
    const ftpEndpoint: Endpoint = { protocol: 'ftp', host: '127.0.0.1', port: ftp.port, username: 'bench', folder: 'in' };
    const sftpEndpoint: Endpoint = { protocol: 'sftp', host: '127.0.0.1', port: sshd.port, username: 'root', folder: sftpIn, hostFingerprint: sshd.hostFingerprint };

    const batch = path.join(work, 'sftp-batch');
    fs.writeFileSync(batch, files.map((f) => `put ${(f.data as { path: string }).path} ${sftpIn}/${f.fileName}\n`).join(''));
    const known = path.join(work, 'known_hosts');
    fs.writeFileSync(known, `[127.0.0.1]:${sshd.port} ${fs.readFileSync(path.join(sshd.dir, 'host_ed25519.pub'), 'utf8')}`);
    const contenders: { label: string; run: () => Promise<void> | void; dir: string }[] = [
      {
        label: 'FTP  CloseDesk (basic-ftp)',
        dir: path.join(ftpRoot, 'in'),
        run: async () => {
          // As a batch is sent: one connection per partner, reused for its files.
          const pool = new SessionPool();
          for (const f of files) await sendFile(ftpEndpoint, { password: 'bench-pw' }, f, { retry, pool });
          await pool.closeAll();
        },
      },
      {
        label: 'FTP  curl -T',
        dir: path.join(ftpRoot, 'in'),
        run: () => {
          for (const f of files)
            execFileSync('curl', ['-sS', '--fail', '-T', (f.data as { path: string }).path, '--user', 'bench:bench-pw', `ftp://127.0.0.1:${ftp.port}/in/${f.fileName}`]);
        },
      },
      {
        label: 'SFTP CloseDesk (ssh2)',
        dir: sftpIn,
        run: async () => {
          const pool = new SessionPool();
          for (const f of files) await sendFile(sftpEndpoint, { privateKey: sshd.clientKey }, f, { retry, pool });
          await pool.closeAll();
        },
      },
      {
        label: 'SFTP OpenSSH sftp',
        dir: sftpIn,
        run: () => {
          execFileSync('sftp', ['-q', '-b', batch, '-i', sshd.clientKeyPath, '-o', `UserKnownHostsFile=${known}`, '-o', 'StrictHostKeyChecking=yes', '-P', String(sshd.port), 'root@127.0.0.1'], { stdio: 'ignore' });
        },
      },
    ];
    for (let round = 1; round <= rounds; round++) {
      // Alternate the order so neither side always runs right after the other's disk writes.
      const order = round % 2 ? contenders : [contenders[1]!, contenders[0]!, contenders[3]!, contenders[2]!];
      for (const c of order) {
        record(c.label, await timed(c.run));
        clear(c.dir);
        execFileSync('sync');
      }
    }
    // Report in a fixed order.
    const ordered = new Map(contenders.map((c) => [c.label, best.get(c.label)!]));
    best.clear();
    for (const [k, v] of ordered) best.set(k, v);
    process.stdout.write(`\n${count} × ${mb} MiB (${total.toFixed(0)} MB) to loopback servers, best of ${rounds}\n`);
    for (const [label, seconds] of best) process.stdout.write(`${label.padEnd(30)} ${seconds.toFixed(2).padStart(7)} s  ${(total / seconds).toFixed(1).padStart(7)} MB/s\n`);
    const ratio = (a: string, b: string) => (best.get(b)! / best.get(a)!).toFixed(2);
    process.stdout.write(`\nFTP  ratio CloseDesk / curl -T : ${ratio('FTP  CloseDesk (basic-ftp)', 'FTP  curl -T')}  (target ≥ 0.9)\n`);
    process.stdout.write(`SFTP ratio CloseDesk / sftp    : ${ratio('SFTP CloseDesk (ssh2)', 'SFTP OpenSSH sftp')}  (target ≥ 0.8)\n`);
  } finally {
    ftp.proc.kill('SIGTERM');
    await sshd.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
