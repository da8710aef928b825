/**
 * Debian's OpenSSH sshd on 127.0.0.1, started by the tests in a temporary folder with its own host
 * key, client keys and configuration; stopped (with its session processes) afterwards.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export interface TestSshd {
  readonly port: number;
  /** `SHA256:…` as printed by ssh-keygen -lf. */
  readonly hostFingerprint: string;
  /** OpenSSH private key accepted for root with full access. */
  readonly clientKey: string;
  readonly clientKeyPath: string;
  /** A second key whose sessions are forced into read-only SFTP (`internal-sftp -R`). */
  readonly readOnlyKey: string;
  readonly dir: string;
  stop(): Promise<void>;
  /** Kills the server and every session, waits, starts it again on the same port with the same key. */
  restart(downMs?: number): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'closedesk-test', '-f', file], { stdio: 'ignore' });
}

/** Descendants of a process (sshd forks one process per session and they outlive a killed listener). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(Number(d));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(pid);
  return out;
}

/**
 * Resolves when sshd says it is listening (LogLevel INFO prints "Server listening on …"); rejects
 * with its messages if it exits first. An event, not a poll against a clock: a loaded machine only
 * makes it later.
 */
function listening(proc: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let said = '';
    let up = false;
    const onData = (d: Buffer) => {
      if (up) return; // later log lines are read and dropped
      said += d.toString();
      if (new RegExp(`Server listening on \\S+ port ${port}\\b`).test(said)) {
        up = true;
        proc.removeListener('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`sshd exited (${code}) before listening on port ${port}: ${said.trim()}`));
    proc.stderr!.on('data', onData);
    proc.once('exit', onExit);
  });
}

export async function startSshd(dir: string): Promise<TestSshd> {
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync('/run/sshd', { recursive: true }); // privilege separation directory
  const hostKey = path.join(dir, 'host_ed25519');
  const clientKeyPath = path.join(dir, 'client_ed25519');
  const roKey = path.join(dir, 'readonly_ed25519');
  keygen(hostKey);
  keygen(clientKeyPath);
  keygen(roKey);
  fs.writeFileSync(
    path.join(dir, 'authorized_keys'),
    fs.readFileSync(`${clientKeyPath}.pub`, 'utf8') + `command="internal-sftp -R",restrict ` + fs.readFileSync(`${roKey}.pub`, 'utf8'),
  );
  const hostFingerprint = execFileSync('ssh-keygen', ['-lf', `${hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  const port = await freePort();
  const cfg = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    cfg,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'Subsystem sftp internal-sftp',
      'MaxStartups 50',
      'LogLevel INFO', // for "Server listening on …" (the rest of stderr is read and dropped)
      '',
    ].join('\n'),
  );
  execFileSync(SSHD, ['-t', '-f', cfg]); // config test: a clear error instead of a silent exit

  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn(SSHD, ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    await listening(proc, port);
  };
  const kill = async () => {
    const p = proc;
    if (!p?.pid || p.exitCode !== null) return;
    const all = [p.pid, ...descendants(p.pid)];
    const exited = new Promise((r) => p.once('exit', r));
    for (const pid of all) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await exited;
  };
  await start();
  return {
    port,
    hostFingerprint,
    clientKey: fs.readFileSync(clientKeyPath, 'utf8'),
    clientKeyPath,
    readOnlyKey: fs.readFileSync(roKey, 'utf8'),
    dir,
    stop: kill,
    async restart(downMs = 300) {
      await kill();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
  };
}
