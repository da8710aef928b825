/**
 * For tests: the native charts an .xlsx file carries, found the way Excel finds them: workbook part →
 * worksheet part → its `<drawing r:id>` and the sheet's relationship → drawing part → each anchor's
 * graphic frame → the drawing's relationship → chart part; every part must also be declared in
 * [Content_Types].xml. Throws with a sentence when a link in that chain is missing.
 */
import JSZip from 'jszip';
import { XMLParser } from 'fast-xml-parser';
import { folderOf, relsPathOf, resolvePart } from '../platform/workbook/chart-part';

export interface FoundSeries {
  name: string;
  nameRef: string;
  categoryRef: string;
  valueRef: string;
  categories: string[];
  /** null where the cache has no point (a blank cell). */
  values: (number | null)[];
}

export interface FoundChart {
  sheet: string;
  /** lineChart, barChart, pieChart or areaChart. */
  kind: string;
  /** For bar charts: 'bar' (horizontal) or 'col'. */
  barDir?: string;
  title: string;
  series: FoundSeries[];
  from: { col: number; row: number };
  to: { col: number; row: number };
  legend: boolean;
  chartPart: string;
}

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (name) => ['sheet', 'Relationship', 'Override', 'xdr:twoCellAnchor', 'c:ser', 'c:pt', 'a:p', 'a:r'].includes(name),
});

function child(node: unknown, ...path: string[]): Node {
  let n = node as Node | undefined;
  for (const p of path) n = n?.[p] as Node | undefined;
  if (n === undefined) throw new Error(`The chart XML lacks ${path.join(' > ')}.`);
  return n;
}

function maybe(node: unknown, ...path: string[]): Node | undefined {
  let n = node as Node | undefined;
  for (const p of path) n = n?.[p] as Node | undefined;
  return n;
}


async function part(zip: JSZip, path: string): Promise<Node> {
  const file = zip.file(path);
  if (!file) throw new Error(`The file has no part ${path}.`);
  return parser.parse(await file.async('string')) as Node;
}

async function rels(zip: JSZip, owner: string): Promise<Map<string, { type: string; target: string }>> {
  const file = zip.file(relsPathOf(owner));
  if (!file) return new Map();
  const doc = parser.parse(await file.async('string')) as Node;
  const list = (maybe(doc, 'Relationships', 'Relationship') as unknown as Node[] | undefined) ?? [];
  return new Map(list.map((r) => [String(r['@Id']), { type: String(r['@Type']), target: resolvePart(folderOf(owner), String(r['@Target'])) }]));
}

function points(cache: Node | undefined): string[] {
  if (!cache) return [];
  const n = Number(child(cache, 'c:ptCount')['@val']);
  const out = new Array<string>(n).fill('');
  for (const pt of (cache['c:pt'] as Node[] | undefined) ?? []) out[Number(pt['@idx'])] = String(pt['c:v']);
  return out;
}

function ref(node: Node | undefined): { f: string; values: string[] } {
  const r = (maybe(node, 'c:numRef') ?? maybe(node, 'c:strRef')) as Node | undefined;
  if (!r) return { f: '', values: [] };
  return { f: String(r['c:f']), values: points((r['c:numCache'] ?? r['c:strCache']) as Node | undefined) };
}

export async function readXlsxCharts(bytes: Uint8Array | ArrayBuffer): Promise<FoundChart[]> {
  const zip = await JSZip.loadAsync(bytes);
  const types = await part(zip, '[Content_Types].xml');
  const overrides = new Map(
    ((maybe(types, 'Types', 'Override') as unknown as Node[] | undefined) ?? []).map((o) => [String(o['@PartName']).replace(/^\//, ''), String(o['@ContentType'])]),
  );
  const workbook = await part(zip, 'xl/workbook.xml');
  const workbookRels = await rels(zip, 'xl/workbook.xml');
  const found: FoundChart[] = [];
  for (const sheet of child(workbook, 'workbook', 'sheets', 'sheet') as unknown as Node[]) {
    const sheetPath = workbookRels.get(String(sheet['@r:id']))!.target;
    const ws = await part(zip, sheetPath);
    const drawingId = maybe(ws, 'worksheet', 'drawing')?.['@r:id'];
    if (drawingId === undefined) continue;
    const sheetRels = await rels(zip, sheetPath);
    const drawingRel = sheetRels.get(String(drawingId));
    if (!drawingRel || !drawingRel.type.endsWith('/relationships/drawing')) throw new Error(`${sheetPath} names drawing ${drawingId}, which its relationships lack.`);
    if (overrides.get(drawingRel.target) !== 'application/vnd.openxmlformats-officedocument.drawing+xml')
      throw new Error(`${drawingRel.target} is not declared as a drawing in [Content_Types].xml.`);
    const drawing = await part(zip, drawingRel.target);
    const drawingRels = await rels(zip, drawingRel.target);
    for (const anchor of (maybe(drawing, 'xdr:wsDr', 'xdr:twoCellAnchor') as unknown as Node[] | undefined) ?? []) {
      const chartId = maybe(anchor, 'xdr:graphicFrame', 'a:graphic', 'a:graphicData', 'c:chart')?.['@r:id'];
      if (chartId === undefined) continue;
      const chartRel = drawingRels.get(String(chartId));
      if (!chartRel || !chartRel.type.endsWith('/relationships/chart')) throw new Error(`${drawingRel.target} names chart ${chartId}, which its relationships lack.`);
      if (overrides.get(chartRel.target) !== 'application/vnd.openxmlformats-officedocument.drawingml.chart+xml')
        throw new Error(`${chartRel.target} is not declared as a chart in [Content_Types].xml.`);
      const chart = child(await part(zip, chartRel.target), 'c:chartSpace', 'c:chart');
      const plot = child(chart, 'c:plotArea');
      const kind = ['c:lineChart', 'c:barChart', 'c:pieChart', 'c:areaChart'].find((k) => k in plot);
      if (!kind) throw new Error(`${chartRel.target} has no line, bar, pie or area chart.`);
      const runs = (child(chart, 'c:title', 'c:tx', 'c:rich')['a:p'] as Node[]).flatMap((p) => ((p['a:r'] as Node[] | undefined) ?? []).map((r) => String(r['a:t'])));
      const cell = (n: Node) => ({ col: Number(n['xdr:col']), row: Number(n['xdr:row']) });
      found.push({
        sheet: String(sheet['@name']),
        kind: kind.slice(2),
        barDir: maybe(plot, kind, 'c:barDir')?.['@val'] as string | undefined,
        title: runs.join(''),
        series: ((child(plot, kind)['c:ser'] as Node[] | undefined) ?? []).map((s) => {
          const name = ref(maybe(s, 'c:tx'));
          const cat = ref(maybe(s, 'c:cat'));
          const val = ref(maybe(s, 'c:val'));
          return { name: name.values[0] ?? '', nameRef: name.f, categoryRef: cat.f, valueRef: val.f, categories: cat.values, values: val.values.map((v) => (v === '' ? null : Number(v))) };
        }),
        from: cell(child(anchor, 'xdr:from')),
        to: cell(child(anchor, 'xdr:to')),
        legend: maybe(chart, 'c:legend') !== undefined,
        chartPart: chartRel.target,
      });
    }
  }
  return found;
}
