/**
 * THR lines are cut from large decoded pieces of the file: the same lines, numbers and chunks as
 * reading it line by line with readline, whatever the line breaks (LF, CRLF, lone CR, a CRLF split
 * between two pieces), a BOM, blank lines and multibyte characters cut between pieces.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Table } from '../../../src/kernel/table';
import { readThrFile } from './thr';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thr-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The lines as readline gives them (the reader this one replaced). */
async function readlineLines(file: string): Promise<string[]> {
  const out: string[] = [];
  for await (const l of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) out.push(l);
  return out;
}

test.each([1, 2, 3, 5, 7, 64, 4096])('random files read in pieces of %i bytes give readline’s lines', async (piece) => {
  let s = piece;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  let text = (rand() < 0.5 ? '\uFEFF' : '') + 'LEDGER|PERIOD|AMOUNT';
  for (let i = 0; i < 300; i++) text += pick(['\n', '\r\n', '\r']) + pick([`Amazon.eu|2024-11|${i}.50`, '', '   ', `Müller €|2024-10|-${i}`, 'x|y']);
  if (rand() < 0.5) text += pick(['\n', '\r\n', '\r']);
  const file = path.join(dir, `t${piece}.txt`);
  fs.writeFileSync(file, text);
  const chunks: Table[] = [];
  const r = await readThrFile(file, (t) => void chunks.push(t), 7, piece);
  const lines = await readlineLines(file);
  const header = lines.findIndex((l) => l.trim() !== '');
  const rows = chunks.flatMap((c) => c.rows.map((cells, k) => [c.firstRowNumber! + k, cells.join('|')]));
  const want = lines.slice(header + 1).map((l, k) => [header + 2 + k, l.trim() === '' ? '' : l]);
  expect(rows).toEqual(want);
  expect(chunks[0]!.header).toEqual(lines[header]!.replace(/^\uFEFF/, '').split('|').map((h) => h.trim()));
  expect(r.lines).toBe(lines.length);
  expect(chunks.every((c) => c.rows.length <= 7)).toBe(true);
});
