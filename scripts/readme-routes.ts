/**
 * Rewrites the routes table in server/README.md from the app's own route table (who may call
 * what), the one place it lives; test/integration/security.test.ts checks the two agree.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp, type RouteInfo } from '../server/app';
import { loadConfig } from '../server/config';

function who(r: RouteInfo): string {
  if (r.public) return r.rateLimited ? 'anyone, no token; rate-limited per address' : 'anyone, no token';
  if (!r.roles) return 'any signed-in user';
  const roles = r.roles.includes('admin') ? r.roles : [...r.roles, 'admin'];
  return roles.length === 1 ? roles[0]! : `${roles.slice(0, -1).join(', ')} or ${roles[roles.length - 1]}`;
}

/** GET/POST/… routes of the API and its pages (HEAD mirrors GET; the add-in's files and the CORS preflight are left out). */
export function routesMarkdown(routes: RouteInfo[]): string {
  const rows = routes
    .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !r.url.includes('*'))
    .sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
  return ['| method | path | who may call it |', '|---|---|---|', ...rows.map((r) => `| ${r.method} | \`${r.url}\` | ${who(r)} |`)].join('\n');
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-routes-'));
  try {
    const app = await buildApp(loadConfig({ CLOSEDESK_DATA_DIR: dir, CLOSEDESK_HTTPS: 'off', LOG_LEVEL: 'silent', CLOSEDESK_STATIC_DIR: path.join(dir, 'dist') }, dir));
    await app.ready();
    const table = routesMarkdown(app.routeTable());
    await app.close();
    const file = path.join(__dirname, '..', 'server', 'README.md');
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes('<!-- routes:start -->')) throw new Error('server/README.md has no <!-- routes:start --> marker.');
    fs.writeFileSync(file, text.replace(/<!-- routes:start -->[\s\S]*<!-- routes:end -->/, `<!-- routes:start -->\n${table}\n<!-- routes:end -->`));
    console.log('server/README.md routes table updated.');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
