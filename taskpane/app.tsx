/** The task pane shell: header with sign-in state, navigation to every registered page, the pages. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Badge,
  Button,
  Caption1,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Subtitle1,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { Dismiss20Regular, Person20Regular, SignOut20Regular } from '@fluentui/react-icons';
import { RIBBON_COMMANDS, onRibbonCommand, type RibbonCommand } from '../commands/bus';
import type { WorkbookPort } from '../src/workbook/port';
import { ApiClient } from './api';
import { getAccessToken, getSession, onSessionChange, setSession, type Session } from './auth';
import type { HostInfo } from './host';
import { PageNav } from './nav';
import { pagesFor } from './pages';
import { PreviewWorkbook } from './preview/preview-workbook';
import { ShellContext, type CellRef, type Shell } from './shell';
import { SignIn } from './sign-in';

const useStyles = makeStyles({
  app: { display: 'flex', flexDirection: 'column', minHeight: '100vh', minWidth: 0, backgroundColor: tokens.colorNeutralBackground1 },
  header: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  // The brand and the role badge keep their size; only the user name gives way (ends in "…", full in its title).
  brand: { display: 'flex', flexDirection: 'column', flexShrink: 0, whiteSpace: 'nowrap' },
  hostLine: { color: tokens.colorNeutralForegroundOnBrand, opacity: 0.85 },
  who: { display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: tokens.spacingHorizontalXS, minWidth: 0, flexGrow: 1, flexShrink: 1 },
  fixed: { flexShrink: 0 },
  userName: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', minWidth: 0, flexShrink: 1 },
  onBrand: { color: tokens.colorNeutralForegroundOnBrand },
  main: { padding: tokens.spacingHorizontalM, minWidth: 0, flexGrow: 1 },
});

/** Notifies the shell after every write so views of the workbook re-read it. */
function observed(port: WorkbookPort, changed: () => void): WorkbookPort {
  return {
    listSheets: () => port.listSheets(),
    readSheet: (name) => port.readSheet(name),
    writeSheet: async (spec, options) => {
      try {
        await port.writeSheet(spec, options);
      } finally {
        changed();
      }
    },
    selectCell: port.selectCell ? (sheet, row, column) => port.selectCell!(sheet, row, column) : undefined,
  };
}

export interface AppProps {
  host: HostInfo;
  /** The workbook chosen by host detection (Office.js in Excel, preview otherwise). */
  workbook: WorkbookPort;
  /** Server origin; '' when the page is served by the CloseDesk server itself. */
  apiBaseUrl?: string;
}

export function App({ host, workbook: initialWorkbook, apiBaseUrl = '' }: AppProps) {
  const styles = useStyles();
  const [session, setSessionState] = useState<Session | null>(getSession());
  const [notice, setNotice] = useState<string | null>(null);
  const [ribbonNotice, setRibbonNotice] = useState<string | null>(null);
  const [port, setPort] = useState<WorkbookPort>(initialWorkbook);
  const [workbookVersion, setWorkbookVersion] = useState(0);
  const visible = useMemo(() => pagesFor(host.kind, session?.role), [host.kind, session?.role]);
  const [active, setActive] = useState(visible[0]?.id ?? '');
  // Pages stay mounted once visited, so a load keeps running while the user looks elsewhere.
  const [visited, setVisited] = useState<Set<string>>(() => new Set([visible[0]?.id ?? '']));

  const [ribbonCommand, setRibbonCommand] = useState<RibbonCommand | null>(null);

  useEffect(
    () =>
      onSessionChange((s) => {
        setSessionState(s);
        if (s) setNotice(null);
      }),
    [],
  );

  const api = useMemo(
    () =>
      new ApiClient({
        baseUrl: apiBaseUrl,
        getToken: getAccessToken,
        onUnauthorized: () => {
          setSession(null);
          setNotice('Your sign-in has expired. Please sign in again.');
        },
      }),
    [apiBaseUrl],
  );

  const bump = useCallback(() => setWorkbookVersion((v) => v + 1), []);
  const workbook = useMemo(() => observed(port, bump), [port, bump]);

  const navigate = useCallback(
    (id: string) => {
      if (!visible.some((p) => p.id === id)) return;
      setActive(id);
      setVisited((v) => (v.has(id) ? v : new Set(v).add(id)));
    },
    [visible],
  );

  // Ribbon buttons open their page; a page not in this build says so instead of doing nothing.
  useEffect(
    () =>
      onRibbonCommand((cmd) => {
        if (visible.some((p) => p.id === cmd.page)) {
          setRibbonCommand(cmd);
          navigate(cmd.page);
        } else {
          const def = RIBBON_COMMANDS.find((c) => c.name === cmd.name);
          setRibbonNotice(`${def?.label ?? cmd.name} is not available in this version of CloseDesk yet.`);
        }
      }),
    [visible, navigate],
  );

  const shell: Shell = useMemo(
    () => ({
      host,
      workbook,
      preview: port instanceof PreviewWorkbook ? port : null,
      replacePreview: (wb) => {
        setPort(wb);
        bump();
      },
      ribbonCommand,
      api,
      session,
      navigate,
      revealCell: async (ref: CellRef) => {
        // The Workbook page is shown first, so its grid scrolls to the cell once it is visible.
        if (port instanceof PreviewWorkbook) navigate('workbook');
        if (workbook.selectCell) await workbook.selectCell(ref.sheet, ref.row, ref.column);
      },
      workbookVersion,
      showSheet: (sheet) => {
        if (!(port instanceof PreviewWorkbook)) return;
        port.setActiveSheet(sheet);
        navigate('workbook');
      },
    }),
    [host, workbook, port, api, session, navigate, workbookVersion, bump, ribbonCommand],
  );

  return (
    <ShellContext.Provider value={shell}>
      <div className={styles.app}>
        <header className={styles.header}>
          <div className={styles.brand}>
            <Subtitle1 as="h1" className={styles.onBrand}>
              CloseDesk
            </Subtitle1>
            <Caption1 className={styles.hostLine} data-testid="host-mode">
              {host.kind === 'excel' ? 'In Excel' : 'Preview (no Excel)'}
            </Caption1>
          </div>
          {session && (
            <div className={styles.who} data-testid="signed-in">
              <Person20Regular className={styles.fixed} />
              <Text className={mergeClasses(styles.userName, styles.onBrand)} title={session.name ? `${session.name} (${session.user})` : session.user}>
                {session.user}
              </Text>
              <Badge appearance="tint" color="informative" size="small" className={styles.fixed} data-testid="signed-in-role">
                {session.role}
              </Badge>
              <Button
                appearance="transparent"
                className={mergeClasses(styles.onBrand, styles.fixed)}
                icon={<SignOut20Regular />}
                aria-label="Sign out"
                title="Sign out"
                onClick={() => setSession(null)}
              />
            </div>
          )}
        </header>
        {session ? (
          <>
            <PageNav pages={visible} active={active} onSelect={navigate} />
            <main className={styles.main}>
              {ribbonNotice && (
                <MessageBar intent="info" data-testid="ribbon-notice">
                  <MessageBarBody>{ribbonNotice}</MessageBarBody>
                  <MessageBarActions
                    containerAction={<Button appearance="transparent" aria-label="Dismiss" icon={<Dismiss20Regular />} onClick={() => setRibbonNotice(null)} />}
                  />
                </MessageBar>
              )}
              {visible
                .filter((p) => visited.has(p.id))
                .map((p) => (
                  <section key={p.id} hidden={p.id !== active} aria-label={p.title} data-page={p.id}>
                    <p.component />
                  </section>
                ))}
            </main>
          </>
        ) : (
          <main className={styles.main}>
            {notice && (
              <MessageBar intent="warning">
                <MessageBarBody>{notice}</MessageBarBody>
              </MessageBar>
            )}
            <SignIn api={api} host={host.kind} />
          </main>
        )}
      </div>
    </ShellContext.Provider>
  );
}
