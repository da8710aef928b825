/**
 * Every file that leaves passes the formula rule or is refused, whoever made it — a job's own
 * writer, or a preparer who brought it (a SPURSH file saved to the outbox, a file posted to
 * /api/deliveries). Called once when a delivery batch is prepared, before anything is hashed or
 * encrypted, so the approver reviews — and the batch's hash binds — the bytes as they will leave.
 *
 * - Delimited text (.csv .txt .tsv .psv): each cell a spreadsheet would run as a formula gets a
 *   leading apostrophe (src/batches/content.ts says why neutralising, not refusing); a file that
 *   cannot be read as delimited text is refused with the row and column where reading stops.
 * - Workbooks (.xlsx): text in a workbook is never run, but a formula cell is; a workbook with one
 *   is refused, naming the sheet and cell (CloseDesk's own workbooks carry values only).
 * - Anything else cannot be checked, and is refused.
 */
import ExcelJS from 'exceljs';
import { neutraliseDelimitedText, type CellRef } from '../../src/batches';

export type CheckedFile = { ok: true; content: Buffer; cells: CellRef[] } | { ok: false; reason: string };

const DELIMITED = /\.(csv|txt|tsv|psv)$/i;
const WORKBOOK = /\.xlsx$/i;

/** The text and how to turn it back into bytes, byte for byte: UTF-8 when it is, else one byte per character. */
function decode(content: Buffer): { text: string; encoding: 'utf8' | 'latin1' } {
  try {
    // ignoreBOM keeps a byte-order mark in the text, so it is written back.
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(content), encoding: 'utf8' };
  } catch {
    // Not UTF-8 (e.g. windows-1252): the rule's characters are ASCII, so reading byte by byte finds them all.
    return { text: content.toString('latin1'), encoding: 'latin1' };
  }
}

async function formulaCell(fileName: string, content: Buffer): Promise<string | undefined> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(content as unknown as ArrayBuffer);
  } catch {
    return `${fileName} cannot be opened as an .xlsx workbook, so CloseDesk cannot check it for formulas; it is not sent.`;
  }
  for (const ws of wb.worksheets) {
    let found: string | undefined;
    ws.eachRow({ includeEmpty: false }, (row) =>
      row.eachCell({ includeEmpty: false }, (cell) => {
        if (!found && cell.type === ExcelJS.ValueType.Formula) found = `${cell.address} (=${String(cell.formula ?? '').slice(0, 40)})`;
      }),
    );
    if (found) return `${fileName}, sheet ${ws.name}, cell ${found} holds a formula; CloseDesk sends workbooks with values only. Replace the formula by its value and prepare the batch again.`;
  }
  return undefined;
}

export async function checkOutgoingFile(fileName: string, content: Buffer): Promise<CheckedFile> {
  if (DELIMITED.test(fileName)) {
    const { text, encoding } = decode(content);
    const r = neutraliseDelimitedText(text, fileName);
    if (!r.ok) return r;
    return { ok: true, content: r.cells.length ? Buffer.from(r.text, encoding) : content, cells: r.cells };
  }
  if (WORKBOOK.test(fileName)) {
    const refusal = await formulaCell(fileName, content);
    return refusal ? { ok: false, reason: refusal } : { ok: true, content, cells: [] };
  }
  return { ok: false, reason: `${fileName} is neither delimited text (.csv, .txt, .tsv, .psv) nor an .xlsx workbook, so CloseDesk cannot check it for formulas; it is not sent.` };
}
