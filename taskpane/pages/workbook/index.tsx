/**
 * Workbook page (preview mode only): the in-browser workbook the other pages write to.
 * Open an .xlsx, look at its sheets, download the result, or start a new workbook.
 */
import { useEffect, useRef, useState } from 'react';
import {
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  Spinner,
  Tab,
  TabList,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownload20Regular, DocumentAdd20Regular, FolderOpen20Regular } from '@fluentui/react-icons';
import type { Table } from '../../../src/kernel/table';
import { PreviewWorkbook } from '../../preview';
import { useShell } from '../../shell';
import { GRID_ROWS, SheetGrid } from './grid';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  toolbar: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  tabs: { overflowX: 'auto', borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  hidden: { display: 'none' },
});

export default function WorkbookPage() {
  const styles = useStyles();
  const shell = useShell();
  const preview = shell.preview;
  const fileInput = useRef<HTMLInputElement>(null);
  const [sheets, setSheets] = useState<string[]>([]);
  const [current, setCurrent] = useState<string | null>(null);
  const [shown, setShown] = useState<{ sheet: string; table: Table } | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ intent: 'error' | 'success'; text: string } | null>(null);
  const [download, setDownload] = useState<{ url: string; name: string } | null>(null);

  // Sheet list follows every write (a dataset load, a job's output sheets).
  useEffect(() => {
    let live = true;
    void shell.workbook.listSheets().then((names) => {
      if (!live) return;
      setSheets(names);
      setCurrent((cur) => {
        if (shell.focusSheet && names.includes(shell.focusSheet)) return shell.focusSheet;
        return cur && names.includes(cur) ? cur : (names[0] ?? null);
      });
    });
    return () => {
      live = false;
    };
  }, [shell.workbook, shell.workbookVersion, shell.focusSheet]);

  useEffect(() => {
    let live = true;
    if (!current) {
      setShown(null);
      return;
    }
    shell.workbook.readSheet(current).then(
      (table) => live && setShown({ sheet: current, table }),
      (e: unknown) => live && setMessage({ intent: 'error', text: (e as Error).message }),
    );
    return () => {
      live = false;
    };
  }, [shell.workbook, shell.workbookVersion, current]);

  // A download link points at the workbook as it was; drop it when the workbook changes.
  useEffect(() => () => void (download && URL.revokeObjectURL(download.url)), [download]);
  useEffect(() => setDownload(null), [shell.workbookVersion, preview]);

  if (!preview) return <Caption1>The workbook is open in Excel; this page is only for the preview in a browser.</Caption1>;

  async function open(file: File) {
    setBusy(true);
    setMessage(null);
    try {
      const wb = await PreviewWorkbook.fromXlsx(await file.arrayBuffer());
      shell.replacePreview(wb);
      setCurrent(null);
      setMessage({ intent: 'success', text: `Opened ${file.name}.` });
    } catch (e) {
      setMessage({ intent: 'error', text: `${file.name} could not be opened as an Excel workbook: ${(e as Error).message}` });
    } finally {
      setBusy(false);
    }
  }

  async function prepareDownload() {
    if (!preview) return;
    setBusy(true);
    setMessage(null);
    try {
      const buffer = await preview.toXlsxBuffer();
      const blob = new Blob([buffer], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
      const url = URL.createObjectURL(blob);
      setDownload({ url, name: 'CloseDesk workbook.xlsx' });
      // Start the download right away; the link stays for browsers that block it.
      const a = document.createElement('a');
      a.href = url;
      a.download = 'CloseDesk workbook.xlsx';
      a.click();
    } catch (e) {
      setMessage({ intent: 'error', text: `The workbook could not be saved: ${(e as Error).message}` });
    } finally {
      setBusy(false);
    }
  }

  function newWorkbook() {
    shell.replacePreview(new PreviewWorkbook());
    setCurrent(null);
    setMessage(null);
  }

  const highlight = shell.highlight && shell.highlight.sheet === current ? shell.highlight : null;

  return (
    <div className={styles.root}>
      <div className={styles.toolbar}>
        <Button icon={<FolderOpen20Regular />} onClick={() => fileInput.current?.click()} disabled={busy}>
          Open .xlsx
        </Button>
        <input
          ref={fileInput}
          className={styles.hidden}
          type="file"
          accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          data-testid="open-xlsx"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void open(f);
          }}
        />
        <Button icon={<ArrowDownload20Regular />} onClick={() => void prepareDownload()} disabled={busy || sheets.length === 0}>
          Download workbook
        </Button>
        <Button icon={<DocumentAdd20Regular />} onClick={newWorkbook} disabled={busy}>
          New workbook
        </Button>
      </div>
      {busy && <Spinner size="tiny" />}
      {message && (
        <MessageBar intent={message.intent}>
          <MessageBarBody>{message.text}</MessageBarBody>
        </MessageBar>
      )}
      {download && (
        <Caption1>
          If the download did not start, <a href={download.url} download={download.name}>save the workbook here</a>.
        </Caption1>
      )}
      {sheets.length === 0 ? (
        <Caption1>This workbook has no sheets yet. Load a dataset on the Data page or open an .xlsx file.</Caption1>
      ) : (
        <>
          <div className={styles.tabs}>
            <TabList size="small" selectedValue={current ?? undefined} onTabSelect={(_, d) => setCurrent(String(d.value))} data-testid="sheet-tabs">
              {sheets.map((s) => (
                <Tab key={s} value={s}>
                  {s}
                </Tab>
              ))}
            </TabList>
          </div>
          {shown && shown.sheet === current && (
            <>
              <Caption1 data-testid="grid-caption">
                {shown.table.rows.length > GRID_ROWS
                  ? `Showing ${GRID_ROWS} of ${shown.table.rows.length.toLocaleString('en-US')} rows.`
                  : `${shown.table.rows.length.toLocaleString('en-US')} rows.`}
              </Caption1>
              <SheetGrid table={shown.table} highlight={highlight} />
            </>
          )}
        </>
      )}
    </div>
  );
}
