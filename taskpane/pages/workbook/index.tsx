/**
 * Workbook page (preview mode only): the in-browser workbook the other pages write to.
 * Open an .xlsx, look at its sheets, download the result, or start a new workbook.
 * The view follows the preview workbook's own state (active sheet, selected cell), as Excel would; a sheet
 * written with a chart shows that chart above its grid, as the downloaded workbook carries it.
 */
import { lazy, Suspense, useEffect, useMemo, useReducer, useRef, useState } from 'react';
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
import { PreviewWorkbook, type SheetGrid as GridData } from '../../preview/preview-workbook';
import { errorSentence, formatCount } from '../../components';
import { useShell } from '../../shell';
import { SheetGrid } from './grid';
import { GRID_ROWS, rowsToRead } from './grid-model';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  toolbar: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  tabs: { overflowX: 'auto', borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  hidden: { display: 'none' },
});

// The chart library is loaded only when a chart shows (in Excel the pane never draws one).
const SheetChart = lazy(() => import(/* webpackChunkName: "sheet-chart" */ '../../components/sheet-chart').then((m) => ({ default: m.SheetChart })));

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export default function WorkbookPage() {
  const shell = useShell();
  if (!shell.preview) return <Caption1>The workbook is open in Excel; this page is only for the preview in a browser.</Caption1>;
  return <PreviewView preview={shell.preview} />;
}

function PreviewView({ preview }: { preview: PreviewWorkbook }) {
  const styles = useStyles();
  const shell = useShell();
  const fileInput = useRef<HTMLInputElement>(null);
  const [changes, changed] = useReducer((n: number) => n + 1, 0);
  const [sheets, setSheets] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ intent: 'error' | 'success'; text: string } | null>(null);
  const [download, setDownload] = useState<{ url: string; name: string } | null>(null);

  // Redraw on every change of the preview workbook: a sheet written, a cell selected, a tab chosen.
  useEffect(() => preview.onChange(changed), [preview]);

  useEffect(() => {
    let live = true;
    void preview.listSheets().then((names) => live && setSheets(names));
    return () => {
      live = false;
    };
  }, [preview, changes, shell.workbookVersion]);

  const current = preview.activeSheet && sheets.includes(preview.activeSheet) ? preview.activeSheet : (sheets[0] ?? null);
  const selection = preview.selection && preview.selection.sheet === current ? preview.selection : null;
  const grid = useMemo<GridData | null>(() => {
    if (!current) return null;
    try {
      return preview.sheetToGrid(current, rowsToRead(selection?.row ?? null));
    } catch {
      return null; // the sheet went away between renders; the next change redraws
    }
    // `changes` and the version are what tell us the content moved on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [preview, current, selection?.row, changes, shell.workbookVersion]);

  // Read with the grid: the chart changes when its sheet is written again.
  const chart = grid ? preview.chartDataFor(grid.sheet) : undefined;

  // A download link points at the workbook as it was; drop it when the workbook changes.
  useEffect(() => () => void (download && URL.revokeObjectURL(download.url)), [download]);
  useEffect(() => setDownload(null), [changes, preview]);

  async function open(file: File) {
    setBusy(true);
    setMessage(null);
    try {
      const wb = await PreviewWorkbook.open(await file.arrayBuffer());
      shell.replacePreview(wb);
      setMessage({ intent: 'success', text: `Opened ${file.name}.` });
    } catch (e) {
      // A zip reader's message ("is this a zip file ? see https://…") helps nobody here: say what to do.
      console.error(`${file.name} could not be opened`, e);
      setMessage({ intent: 'error', text: `${file.name} could not be opened: it is not an Excel workbook (.xlsx), or it is damaged. Save it as .xlsx in Excel and open it again.` });
    } finally {
      setBusy(false);
    }
  }

  async function prepareDownload() {
    setBusy(true);
    setMessage(null);
    try {
      const buffer = await preview.toXlsxBuffer();
      const url = URL.createObjectURL(new Blob([buffer], { type: XLSX_TYPE }));
      const name = 'CloseDesk workbook.xlsx';
      setDownload({ url, name });
      // Start the download right away; the link stays for browsers that block it.
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
    } catch (e) {
      setMessage({ intent: 'error', text: errorSentence(e, 'The workbook could not be saved; the details are in the browser\'s console.') });
    } finally {
      setBusy(false);
    }
  }

  function newWorkbook() {
    shell.replacePreview(PreviewWorkbook.empty());
    setMessage(null);
  }

  return (
    <div className={styles.root}>
      <div className={styles.toolbar}>
        <Button size="small" icon={<FolderOpen20Regular />} onClick={() => fileInput.current?.click()} disabled={busy}>
          Open .xlsx
        </Button>
        <input
          ref={fileInput}
          className={styles.hidden}
          type="file"
          accept={`.xlsx,${XLSX_TYPE}`}
          data-testid="open-xlsx"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void open(f);
          }}
        />
        <Button size="small" icon={<ArrowDownload20Regular />} onClick={() => void prepareDownload()} disabled={busy || sheets.length === 0}>
          Download workbook
        </Button>
        <Button size="small" icon={<DocumentAdd20Regular />} onClick={newWorkbook} disabled={busy}>
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
          If the download did not start,{' '}
          <a href={download.url} download={download.name}>
            save the workbook here
          </a>
          .
        </Caption1>
      )}
      <div className={styles.tabs}>
        <TabList
          size="small"
          // Always a value: Fluent decides controlled vs uncontrolled on the first render.
          selectedValue={current ?? ''}
          onTabSelect={(_, d) => preview.setActiveSheet(String(d.value))}
          data-testid="sheet-tabs"
        >
          {sheets.map((s) => (
            <Tab key={s} value={s}>
              {s}
            </Tab>
          ))}
        </TabList>
      </div>
      {grid && (
        <>
          <Caption1 data-testid="grid-caption">
            {grid.totalRows === 0
              ? 'This sheet is empty. Load a dataset on the Data page or open an .xlsx file.'
              : grid.totalRows > GRID_ROWS
                ? `${formatCount(grid.totalRows)} rows; the grid shows ${GRID_ROWS} of them.`
                : `${formatCount(grid.totalRows)} rows.`}
          </Caption1>
          {chart && (
            <Suspense fallback={<Spinner size="tiny" label="Drawing the chart…" />}>
              <SheetChart data={chart} />
            </Suspense>
          )}
          {grid.totalRows > 0 && <SheetGrid grid={grid} highlight={selection} />}
        </>
      )}
    </div>
  );
}
