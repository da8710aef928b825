/**
 * The app's version from package.json, in a module of its own: a CLI run records it without loading
 * the HTTP helpers (./http pulls in sign-in, jose and the config: 400 modules, a fifth of a second).
 *
 * Public API
 * - `appVersion()`: the package version, found by walking up from this file (works from server/ and dist/server/).
 */
import fs from 'node:fs';
import path from 'node:path';

let version: string | undefined;
export function appVersion(): string {
  if (version) return version;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const p = path.join(dir, 'package.json');
    if (fs.existsSync(p)) {
      const pkg = JSON.parse(fs.readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'closedesk') return (version = pkg.version ?? '0.0.0');
    }
    if (path.dirname(dir) === dir) return (version = '0.0.0');
  }
}
