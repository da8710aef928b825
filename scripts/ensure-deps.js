#!/usr/bin/env node
/*
 * Runs before `npm start`, `npm test` and `npm run bench`: installs what is missing so that the two
 * README commands are the whole set-up on a fresh clone.
 *  - npm packages: `npm ci` when node_modules is absent or older than package-lock.json (stamp file).
 *  - Debian packages (only as root; otherwise we print what to install): chromium (end-to-end tests),
 *    postgresql (integration tests start a real server), openssh-server (SFTP tests), curl (delivery
 *    benchmark peer), python3-pandas / python3-openpyxl (benchmark peers) and time (peak memory), bench only.
 * Plain Node, no dependencies: it must run before node_modules exists.
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const root = path.resolve(__dirname, '..');
const purpose = (process.argv.indexOf('--for') >= 0 && process.argv[process.argv.indexOf('--for') + 1]) || 'test';

function log(msg) {
  process.stderr.write(`[ensure-deps] ${msg}\n`);
}

function npmPackages() {
  const lock = path.join(root, 'package-lock.json');
  const stamp = path.join(root, 'node_modules', '.closedesk-deps-stamp');
  const want = crypto
    .createHash('sha256')
    .update(fs.readFileSync(path.join(root, 'package.json')))
    .update(fs.existsSync(lock) ? fs.readFileSync(lock) : '')
    .digest('hex');
  const have = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8').trim() : '';
  if (have === want) return;
  // A fresh clone gets exactly the lock file (npm ci); a stale tree is topped up (npm install) so a
  // working copy's native builds are not thrown away.
  const fresh = !fs.existsSync(path.join(root, 'node_modules'));
  log(fresh ? 'node_modules is missing: npm ci' : 'node_modules is stale: npm install');
  const r = spawnSync('npm', [fresh && fs.existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    log('npm could not install the packages; see the messages above.');
    process.exit(r.status || 1);
  }
  fs.writeFileSync(stamp, want + '\n');
}

function has(file) {
  return fs.existsSync(file);
}

function globHas(dir, rel) {
  try {
    return fs.readdirSync(dir).some((v) => has(path.join(dir, v, rel)));
  } catch {
    return false;
  }
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function debianPackages() {
  const wanted = [
    { pkg: 'chromium', present: () => has('/usr/bin/chromium') },
    { pkg: 'postgresql', present: () => globHas('/usr/lib/postgresql', 'bin/initdb') || onPath('initdb') },
    { pkg: 'openssh-server', present: () => has('/usr/sbin/sshd') },
    { pkg: 'openssh-client', present: () => onPath('ssh-keygen') && onPath('sftp') },
    { pkg: 'openssl', present: () => onPath('openssl') },
    { pkg: 'curl', present: () => onPath('curl') },
  ];
  if (purpose === 'bench') {
    const py = (mod) => () => spawnSync('/usr/bin/python3', ['-c', `import ${mod}`], { stdio: 'ignore' }).status === 0;
    wanted.push(
      { pkg: 'python3-pandas', present: py('pandas') },
      { pkg: 'python3-openpyxl', present: py('openpyxl') },
      // GNU time measures each contestant's peak memory
      { pkg: 'time', present: () => has('/usr/bin/time') },
    );
  }
  const missing = wanted.filter((w) => !w.present()).map((w) => w.pkg);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) {
    log(`missing Debian packages: ${missing.join(' ')} — install them (sudo apt-get install ${missing.join(' ')}); tests that need them will fail.`);
    return;
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}

npmPackages();
debianPackages();
