/**
 * Host detection, Script Lab style: inside Excel (Office.js loaded and Office.onReady reports
 * host Excel) the task pane writes to the real workbook; anywhere else (a plain browser, tests)
 * it runs on the in-browser preview workbook. office.js is loaded by script tag with a timeout
 * so a browser without internet still starts; a stubbed `window.Office` (tests) is used as is.
 */
import type { WorkbookPort } from '../src/workbook/port';
import { OfficeWorkbook } from './office/office-workbook';
import { PreviewWorkbook } from './preview/preview-workbook';

export const OFFICE_JS_URL = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';

export type HostKind = 'excel' | 'preview';

export interface HostInfo {
  kind: HostKind;
  /** Why this host was chosen, for the About line and the logs. */
  reason: string;
}

/** The part of Office.js host detection needs (also what a test stub provides). */
interface OfficeLike {
  onReady(callback?: (info: { host: unknown; platform: unknown }) => void): Promise<{ host: unknown; platform: unknown }>;
}

export interface DetectOptions {
  /** Window-like object holding `Office` (tests pass their own). */
  win?: { Office?: unknown; document?: Document };
  loadTimeoutMs?: number;
  readyTimeoutMs?: number;
  /** Loads office.js; defaults to a script tag. */
  loadScript?: (url: string, timeoutMs: number) => Promise<void>;
}

function hasOffice(win: { Office?: unknown }): win is { Office: OfficeLike } {
  const o = win.Office as Partial<OfficeLike> | undefined;
  return !!o && typeof o.onReady === 'function';
}

export function loadScriptTag(url: string, timeoutMs: number, doc: Document = document): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = doc.createElement('script');
    const timer = setTimeout(() => reject(new Error(`office.js did not load within ${timeoutMs} ms.`)), timeoutMs);
    script.src = url;
    script.async = true;
    script.onload = () => {
      clearTimeout(timer);
      resolve();
    };
    script.onerror = () => {
      clearTimeout(timer);
      reject(new Error('office.js could not be loaded.'));
    };
    doc.head.appendChild(script);
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Never throws: any failure means preview mode. */
export async function detectHost(options: DetectOptions = {}): Promise<HostInfo> {
  const win = options.win ?? (window as unknown as { Office?: unknown; document?: Document });
  const loadTimeoutMs = options.loadTimeoutMs ?? 5000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 5000;
  if (!hasOffice(win)) {
    const load = options.loadScript ?? ((url: string, ms: number) => loadScriptTag(url, ms, win.document ?? document));
    try {
      await load(OFFICE_JS_URL, loadTimeoutMs);
    } catch (e) {
      return { kind: 'preview', reason: `Preview mode: ${(e as Error).message}` };
    }
    if (!hasOffice(win)) return { kind: 'preview', reason: 'Preview mode: office.js loaded but Office is missing.' };
  }
  try {
    const info = await withTimeout(win.Office.onReady(), readyTimeoutMs, 'Office did not report ready in time.');
    if (info && info.host === 'Excel') return { kind: 'excel', reason: 'Running inside Excel.' };
    return { kind: 'preview', reason: 'Preview mode: not running inside Excel.' };
  } catch (e) {
    return { kind: 'preview', reason: `Preview mode: ${(e as Error).message}` };
  }
}

export function createWorkbook(kind: HostKind): WorkbookPort {
  return kind === 'excel' ? new OfficeWorkbook() : PreviewWorkbook.empty();
}
