/**
 * Native Excel charts in .xlsx files, written here because exceljs writes none: a DrawingML chart part
 * (`xl/charts/chartN.xml`: a c:chartSpace whose series point at the sheet's cells by formula and carry
 * the values as their cache, so Excel, LibreOffice and viewers that do not recalculate show the same
 * chart), a drawing part (`xl/drawings/drawingN.xml`: one twoCellAnchor + graphicFrame per chart, beside
 * the table), the relationships sheet → drawing → chart, `<drawing r:id>` in the sheet, and the content
 * types. Host-neutral (no Node built-ins): the browser preview's download uses it too.
 *
 * Two ways in, one set of parts:
 * - Finished workbooks in memory (ExcelJsWorkbookPort: the CLI's/server's ExcelFileWorkbook and the
 *   preview's download) go through `addChartsToXlsx`: the zip exceljs produced is opened with JSZip (the
 *   zip library exceljs itself depends on; its browser build is self-contained), the parts are added and
 *   the sheet, rels and content types patched as text, and the zip written again. Entries left alone
 *   keep their compressed bytes, and the workbook is in memory anyway, so this costs little.
 * - The streaming writer (./excel-file.ts `writeWorkbookFile`) cannot take that route: re-opening its
 *   output would hold a file of millions of rows in memory, which streaming exists to avoid. It writes the
 *   same parts into exceljs's zip stream as it goes, with `drawingElement`, `withContentTypeOverrides`
 *   and the part builders below.
 *
 * Public API
 * - `chartPartXml(data)`, `drawingPartXml(anchors)`, `anchorXml(data, chartRelId, shapeId)`,
 *   `relationshipsXml(rels)`, `drawingElement(rId)`, `withDrawingElement(sheetXml, rId)`,
 *   `withContentTypeOverrides(typesXml, overrides)`, `sheetRangeFormula(sheet, column, firstRow, rows)`;
 *   package paths: `resolvePart(ownerFolder, target)`, `folderOf(path)`, `relsPathOf(path)`.
 * - Constants: `CHART_CONTENT_TYPE`, `DRAWING_CONTENT_TYPE`, `CHART_REL_TYPE`, `DRAWING_REL_TYPE`.
 * - `addChartsToXlsx(xlsx, charts)` → the same workbook with one native chart per ChartData (a chart
 *   whose sheet the file lacks is left out).
 */
import JSZip from 'jszip';
import { columnLetter, type Cell } from '../../src/kernel/table';
import type { ChartData } from '../../src/workbook/chart-data';

export const CHART_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.drawingml.chart+xml';
export const DRAWING_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.drawing+xml';
const REL_BASE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
export const CHART_REL_TYPE = `${REL_BASE}/chart`;
export const DRAWING_REL_TYPE = `${REL_BASE}/drawing`;
const NS_C = 'http://schemas.openxmlformats.org/drawingml/2006/chart';
const NS_A = 'http://schemas.openxmlformats.org/drawingml/2006/main';
const NS_XDR = 'http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing';
const NS_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Text for XML content and attribute values; characters XML 1.0 forbids are dropped. */
function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function unxml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[e.toLowerCase()]) return named[e.toLowerCase()]!;
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** `'Sheet name'!$B$15:$B$40` (0-based column and row); the name is always quoted, quotes doubled. */
export function sheetRangeFormula(sheet: string, column: number, firstRow: number, rows: number): string {
  const col = `$${columnLetter(column)}$`;
  const ref = rows === 1 ? `${col}${firstRow + 1}` : `${col}${firstRow + 1}:${col}${firstRow + rows}`;
  return `'${sheet.replace(/'/g, "''")}'!${ref}`;
}

function strCache(values: readonly string[]): string {
  let pts = '';
  values.forEach((v, i) => {
    if (v !== '') pts += `<c:pt idx="${i}"><c:v>${xml(v)}</c:v></c:pt>`;
  });
  return `<c:strCache><c:ptCount val="${values.length}"/>${pts}</c:strCache>`;
}

function numCache(values: readonly (number | null)[], format: string): string {
  let pts = '';
  values.forEach((v, i) => {
    if (v !== null) pts += `<c:pt idx="${i}"><c:v>${String(v)}</c:v></c:pt>`;
  });
  return `<c:numCache><c:formatCode>${xml(format)}</c:formatCode><c:ptCount val="${values.length}"/>${pts}</c:numCache>`;
}

function categoryXml(data: ChartData): string {
  const f = `<c:f>${xml(sheetRangeFormula(data.sheet, data.category.column, data.firstDataRow, data.rows))}</c:f>`;
  const values = data.category.values;
  // Dates stored as serials stay numbers (Excel formats them with the column's format); text is text.
  if (values.every((v: Cell) => typeof v === 'number'))
    return `<c:cat><c:numRef>${f}${numCache(values as number[], data.category.numberFormat)}</c:numRef></c:cat>`;
  return `<c:cat><c:strRef>${f}${strCache(data.category.labels)}</c:strRef></c:cat>`;
}

function seriesXml(data: ChartData, k: number): string {
  const s = data.series[k]!;
  const type = data.chart.type;
  const name = `<c:tx><c:strRef><c:f>${xml(sheetRangeFormula(data.sheet, s.column, data.headerRow, 1))}</c:f>${strCache([s.name])}</c:strRef></c:tx>`;
  const values = `<c:val><c:numRef><c:f>${xml(sheetRangeFormula(data.sheet, s.column, data.firstDataRow, data.rows))}</c:f>${numCache(s.values, s.numberFormat)}</c:numRef></c:val>`;
  // Element order follows the schema for each series kind (CT_LineSer, CT_BarSer, CT_AreaSer, CT_PieSer).
  const before = type === 'line' ? '<c:marker><c:symbol val="none"/></c:marker>' : type === 'bar' || type === 'column' ? '<c:invertIfNegative val="0"/>' : '';
  const after = type === 'line' ? '<c:smooth val="0"/>' : '';
  return `<c:ser><c:idx val="${k}"/><c:order val="${k}"/>${name}${before}${categoryXml(data)}${values}${after}</c:ser>`;
}

const CAT_AXIS = 500000001;
const VAL_AXIS = 500000002;

function axesXml(data: ChartData): string {
  const horizontal = data.chart.type === 'bar';
  const format = data.series[0]!.numberFormat;
  // Horizontal bars list the first category at the top, as the table does; the value axis then
  // crosses at the far end so it stays at the bottom.
  const catAx =
    `<c:catAx><c:axId val="${CAT_AXIS}"/><c:scaling><c:orientation val="${horizontal ? 'maxMin' : 'minMax'}"/></c:scaling>` +
    `<c:delete val="0"/><c:axPos val="${horizontal ? 'l' : 'b'}"/><c:numFmt formatCode="${xml(data.category.numberFormat === '@' ? 'General' : data.category.numberFormat)}" sourceLinked="1"/>` +
    `<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="${VAL_AXIS}"/><c:crosses val="autoZero"/>` +
    `<c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>`;
  const valAx =
    `<c:valAx><c:axId val="${VAL_AXIS}"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>` +
    `<c:axPos val="${horizontal ? 'b' : 'l'}"/><c:majorGridlines/><c:numFmt formatCode="${xml(format)}" sourceLinked="1"/>` +
    `<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="${CAT_AXIS}"/>` +
    `<c:crosses val="${horizontal ? 'max' : 'autoZero'}"/><c:crossBetween val="${data.chart.type === 'line' || data.chart.type === 'area' ? 'midCat' : 'between'}"/></c:valAx>`;
  return catAx + valAx;
}

function plotXml(data: ChartData): string {
  const series = data.series.map((_, k) => seriesXml(data, k)).join('');
  const axisIds = `<c:axId val="${CAT_AXIS}"/><c:axId val="${VAL_AXIS}"/>`;
  switch (data.chart.type) {
    case 'line':
      return `<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>${series}<c:marker val="1"/>${axisIds}</c:lineChart>${axesXml(data)}`;
    case 'area':
      return `<c:areaChart><c:grouping val="standard"/><c:varyColors val="0"/>${series}${axisIds}</c:areaChart>${axesXml(data)}`;
    case 'column':
    case 'bar':
      return (
        `<c:barChart><c:barDir val="${data.chart.type === 'bar' ? 'bar' : 'col'}"/><c:grouping val="clustered"/><c:varyColors val="0"/>` +
        `${series}<c:gapWidth val="80"/>${axisIds}</c:barChart>${axesXml(data)}`
      );
    case 'pie':
      return `<c:pieChart><c:varyColors val="1"/>${series}<c:firstSliceAng val="0"/></c:pieChart>`;
  }
}

/** The chart part: title, one series per value column, categories, axes; a legend when it names something. */
export function chartPartXml(data: ChartData): string {
  const title =
    `<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="1400" b="0"/></a:pPr>` +
    `<a:r><a:rPr lang="en-US" sz="1400" b="0"/><a:t>${xml(data.chart.title)}</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title>`;
  const legend =
    data.series.length > 1 || data.chart.type === 'pie' ? `<c:legend><c:legendPos val="${data.chart.type === 'pie' ? 'r' : 'b'}"/><c:overlay val="0"/></c:legend>` : '';
  return (
    XML_DECL +
    `<c:chartSpace xmlns:c="${NS_C}" xmlns:a="${NS_A}" xmlns:r="${REL_BASE}">` +
    `<c:roundedCorners val="0"/><c:chart>${title}<c:autoTitleDeleted val="0"/>` +
    `<c:plotArea><c:layout/>${plotXml(data)}</c:plotArea>${legend}<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>` +
    `</c:chartSpace>`
  );
}

/** One chart's place on the sheet: from and to cells (moves with the cells, keeps its size). */
export function anchorXml(data: ChartData, chartRelId: string, shapeId: number): string {
  const a = data.anchor;
  const cell = (tag: string, col: number, row: number) =>
    `<xdr:${tag}><xdr:col>${col}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>${row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:${tag}>`;
  return (
    `<xdr:twoCellAnchor editAs="oneCell">${cell('from', a.fromColumn, a.fromRow)}${cell('to', a.toColumn, a.toRow)}` +
    `<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="${shapeId}" name="Chart ${shapeId - 1}" descr="${xml(data.chart.title)}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>` +
    `<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>` +
    `<a:graphic><a:graphicData uri="${NS_C}"><c:chart xmlns:c="${NS_C}" xmlns:r="${REL_BASE}" r:id="${chartRelId}"/></a:graphicData></a:graphic>` +
    `</xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>`
  );
}

export function drawingPartXml(anchors: readonly string[]): string {
  return `${XML_DECL}<xdr:wsDr xmlns:xdr="${NS_XDR}" xmlns:a="${NS_A}">${anchors.join('')}</xdr:wsDr>`;
}

export interface Relationship {
  id: string;
  type: string;
  target: string;
}

export function relationshipsXml(rels: readonly Relationship[]): string {
  const items = rels.map((r) => `<Relationship Id="${xml(r.id)}" Type="${xml(r.type)}" Target="${xml(r.target)}"/>`).join('');
  return `${XML_DECL}<Relationships xmlns="${NS_REL}">${items}</Relationships>`;
}

/** The sheet's reference to its drawing (the `r` prefix is declared on exceljs's worksheet element). */
export function drawingElement(rId: string): string {
  return `<drawing r:id="${xml(rId)}"/>`;
}

/** Elements the schema puts after `<drawing>` in a worksheet; the drawing goes before the first present. */
const AFTER_DRAWING = ['legacyDrawing', 'legacyDrawingHF', 'drawingHF', 'picture', 'oleObjects', 'controls', 'webPublishItems', 'tableParts', 'extLst'];

export function withDrawingElement(sheetXml: string, rId: string): string {
  const dataEnd = Math.max(0, sheetXml.indexOf('</sheetData>'));
  let at = sheetXml.lastIndexOf('</worksheet>');
  for (const tag of AFTER_DRAWING) {
    const m = new RegExp(`<${tag}[\\s/>]`).exec(sheetXml.slice(dataEnd));
    if (m && dataEnd + m.index < at) at = dataEnd + m.index;
  }
  if (at < 0) throw new Error('The worksheet part has no closing tag.');
  return sheetXml.slice(0, at) + drawingElement(rId) + sheetXml.slice(at);
}

export function withContentTypeOverrides(typesXml: string, overrides: readonly { partName: string; contentType: string }[]): string {
  const at = typesXml.lastIndexOf('</Types>');
  if (at < 0) throw new Error('The content types part has no closing tag.');
  const items = overrides.map((o) => `<Override PartName="${xml(o.partName)}" ContentType="${xml(o.contentType)}"/>`).join('');
  return typesXml.slice(0, at) + items + typesXml.slice(at);
}

// ---- Adding charts to a finished workbook -------------------------------------------------------

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out[m[1]!] = unxml(m[2] ?? m[3] ?? '');
  return out;
}

function parseRelationships(relsXml: string): Relationship[] {
  return [...relsXml.matchAll(/<Relationship\b[^>]*>/g)].map((m) => {
    const a = attributes(m[0]);
    return { id: a.Id ?? '', type: a.Type ?? '', target: a.Target ?? '' };
  });
}

function nextRelId(rels: readonly Relationship[]): string {
  const used = rels.map((r) => Number(/^rId(\d+)$/.exec(r.id)?.[1] ?? 0));
  return `rId${Math.max(0, ...used) + 1}`;
}

/** A relationship target resolved against the folder of the part that owns it ('../drawings/x.xml'). */
export function resolvePart(ownerFolder: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = ownerFolder.split('/').filter(Boolean);
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.') parts.push(seg);
  }
  return parts.join('/');
}

export const folderOf = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);
/** The relationships part of a part: `xl/worksheets/_rels/sheet1.xml.rels` for `xl/worksheets/sheet1.xml`. */
export const relsPathOf = (path: string) => `${folderOf(path)}_rels/${path.slice(path.lastIndexOf('/') + 1)}.rels`;

/** Sheet name (lower case) → its worksheet part, from the workbook part and its relationships. */
function worksheetParts(workbookXml: string, workbookRels: readonly Relationship[]): Map<string, string> {
  const byId = new Map(workbookRels.map((r) => [r.id, resolvePart('xl/', r.target)]));
  const out = new Map<string, string>();
  for (const m of workbookXml.matchAll(/<sheet\b[^>]*>/g)) {
    const a = attributes(m[0]);
    const part = byId.get(a['r:id'] ?? '');
    if (a.name !== undefined && part) out.set(a.name.toLowerCase(), part);
  }
  return out;
}

function nextPartNumber(zip: JSZip, prefix: string): number {
  let max = 0;
  zip.forEach((path) => {
    const m = new RegExp(`^${prefix}(\\d+)\\.xml$`).exec(path);
    if (m) max = Math.max(max, Number(m[1]));
  });
  return max + 1;
}

async function readText(zip: JSZip, path: string): Promise<string | undefined> {
  return zip.file(path)?.async('string');
}

export async function addChartsToXlsx(xlsx: Uint8Array | ArrayBuffer, charts: readonly ChartData[]): Promise<Uint8Array> {
  const bytes = xlsx instanceof Uint8Array ? xlsx : new Uint8Array(xlsx);
  if (charts.length === 0) return bytes;
  const zip = await JSZip.loadAsync(bytes);
  const workbookXml = await readText(zip, 'xl/workbook.xml');
  const workbookRels = await readText(zip, 'xl/_rels/workbook.xml.rels');
  const typesXml = await readText(zip, '[Content_Types].xml');
  if (!workbookXml || !workbookRels || !typesXml) throw new Error('The workbook file lacks its workbook part; it cannot carry charts.');
  const sheets = worksheetParts(workbookXml, parseRelationships(workbookRels));
  const overrides: { partName: string; contentType: string }[] = [];
  let chartNo = nextPartNumber(zip, 'xl/charts/chart');
  let drawingNo = nextPartNumber(zip, 'xl/drawings/drawing');

  for (const data of charts) {
    const sheetPath = sheets.get(data.sheet.toLowerCase());
    const sheetXml = sheetPath && (await readText(zip, sheetPath));
    if (!sheetPath || !sheetXml) continue;
    const sheetRelsPath = relsPathOf(sheetPath);
    const sheetRels = parseRelationships((await readText(zip, sheetRelsPath)) ?? '');
    const existing = sheetRels.find((r) => r.type === DRAWING_REL_TYPE);
    const drawingPath = existing ? resolvePart(folderOf(sheetPath), existing.target) : `xl/drawings/drawing${drawingNo++}.xml`;
    const drawingXml = existing ? await readText(zip, drawingPath) : drawingPartXml([]);
    if (drawingXml === undefined) continue; // a drawing relationship without its part: nothing to attach to

    const chartPath = `xl/charts/chart${chartNo++}.xml`;
    zip.file(chartPath, chartPartXml(data));
    overrides.push({ partName: `/${chartPath}`, contentType: CHART_CONTENT_TYPE });
    const drawingRelsPath = relsPathOf(drawingPath);
    const drawingRels = parseRelationships((await readText(zip, drawingRelsPath)) ?? '');
    const chartRel: Relationship = { id: nextRelId(drawingRels), type: CHART_REL_TYPE, target: `../charts/${chartPath.slice(chartPath.lastIndexOf('/') + 1)}` };
    zip.file(drawingRelsPath, relationshipsXml([...drawingRels, chartRel]));
    // A sheet that already has a drawing (pictures) gets the chart in it, with a shape id of its own.
    const shapeIds = [...drawingXml.matchAll(/<xdr:cNvPr\b[^>]*\bid="(\d+)"/g)].map((m) => Number(m[1]));
    const end = drawingXml.lastIndexOf('</xdr:wsDr>');
    zip.file(drawingPath, drawingXml.slice(0, end) + anchorXml(data, chartRel.id, Math.max(1, ...shapeIds) + 1) + drawingXml.slice(end));
    if (!existing) {
      overrides.push({ partName: `/${drawingPath}`, contentType: DRAWING_CONTENT_TYPE });
      const drawingRel: Relationship = { id: nextRelId(sheetRels), type: DRAWING_REL_TYPE, target: `../drawings/${drawingPath.slice(drawingPath.lastIndexOf('/') + 1)}` };
      zip.file(sheetRelsPath, relationshipsXml([...sheetRels, drawingRel]));
      zip.file(sheetPath, withDrawingElement(sheetXml, drawingRel.id));
    }
  }
  zip.file('[Content_Types].xml', withContentTypeOverrides(typesXml, overrides));
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}
