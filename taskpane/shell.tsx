/**
 * What every page gets from the shell: the host, the workbook (Excel or preview), the backend
 * client, the signed-in session, navigation, and "reveal this cell" for problems lists.
 */
import { createContext, useContext } from 'react';
import type { WorkbookPort } from '../src/workbook/port';
import type { RibbonCommand } from '../commands/bus';
import type { ApiClient } from './api';
import type { Session } from './auth';
import type { HostInfo } from './host';
import type { PreviewWorkbook } from './preview/preview-workbook';

export interface CellRef {
  sheet: string;
  /** 1-based sheet row. */
  row: number;
  /** 1-based column (A = 1), as WorkbookPort.selectCell takes it. */
  column: number;
}

export interface Shell {
  host: HostInfo;
  workbook: WorkbookPort;
  /** The preview workbook when not inside Excel; null in Excel. */
  preview: PreviewWorkbook | null;
  /** Replaces the preview workbook (open a file, new workbook). */
  replacePreview(wb: PreviewWorkbook): void;
  api: ApiClient;
  session: Session | null;
  navigate(pageId: string): void;
  /** Selects a cell in the workbook; in preview mode also opens the Workbook page on it. */
  revealCell(ref: CellRef): Promise<void>;
  /** Increments after every write to the workbook, so views re-read it. */
  workbookVersion: number;
  /** Preview mode: opens the Workbook page on this sheet. */
  showSheet(sheet: string): void;
  /** The last ribbon button pressed (Run FIFO, Post to Zoho…); its page reads `action` and starts. */
  ribbonCommand: RibbonCommand | null;
}

export const ShellContext = createContext<Shell | null>(null);

export function useShell(): Shell {
  const s = useContext(ShellContext);
  if (!s) throw new Error('useShell must be used inside the task pane shell.');
  return s;
}
