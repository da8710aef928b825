/** Rewrites the settings table in README.md from server/config.ts, the one place settings live. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { settingsTable } from '../server/config';

export function settingsMarkdown(): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| variable | default | meaning |',
    '|---|---|---|',
    ...settingsTable().map((s) => `| \`${s.name}\` | ${esc(s.default)} | ${esc(s.meaning)} |`),
  ].join('\n');
}

if (require.main === module) {
  const file = path.join(__dirname, '..', 'README.md');
  const text = fs.readFileSync(file, 'utf8');
  const out = text.replace(/<!-- settings:start -->[\s\S]*<!-- settings:end -->/, `<!-- settings:start -->\n${settingsMarkdown()}\n<!-- settings:end -->`);
  fs.writeFileSync(file, out);
  console.log('README settings table updated.');
}
