/** The README is the whole set-up: its settings table must list every setting the server reads. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { settingsMarkdown } from '../scripts/readme-settings';

it('README lists every setting exactly as server/config.ts defines it (run `npx tsx scripts/readme-settings.ts`)', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  expect(readme).toContain(settingsMarkdown());
});
