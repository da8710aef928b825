/**
 * End-to-end harness: the real CloseDesk server (server/app.ts buildApp) on 127.0.0.1 with a
 * temporary data folder and datasets folder, serving the webpack-built dist/, and Debian
 * Chromium (playwright-core) showing /taskpane.html at task pane width with a stubbed Office
 * global, so the app picks preview mode and nothing leaves the machine.
 */
import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startE2eServer, type RunningServer } from './server';
import { generateDemoData } from '../../scripts/generate-demo-data';
import { startDemoFtpTarget, type DemoFtpTarget } from '../../server/dev/demo-ftp-target';

export const ROOT = resolve(__dirname, '..', '..');
export const DIST = join(ROOT, 'dist');
export const RESULTS = join(ROOT, 'test-results');
export const CHROMIUM = '/usr/bin/chromium';
/** The narrowest Excel task pane (desktop default is 350 px). */
export const TASK_PANE_WIDTH = 350;

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Runs in the page before any of its scripts: an Office global whose onReady reports no host
 * (what office.js says in a plain browser), so the app chooses the preview workbook.
 */
export const OFFICE_STUB = `
  window.__officeReadyCalls = 0;
  window.Office = {
    onReady: function (cb) {
      window.__officeReadyCalls++;
      var info = { host: null, platform: null };
      if (typeof cb === 'function') cb(info);
      return Promise.resolve(info);
    },
    HostType: { Excel: 'Excel' },
    context: {},
    // The commands bundle registers the ribbon handlers here; tests press the buttons through them.
    actions: { associate: function (name, handler) { (window.__ribbonHandlers = window.__ribbonHandlers || {})[name] = handler; } },
    addin: { showAsTaskpane: function () { return Promise.resolve(); } },
  };
`;

export interface Harness {
  server: RunningServer;
  context: BrowserContext;
  page: Page;
  dataDir: string;
  datasetsDir: string;
  /** Requests the page tried to send off the machine (all blocked). */
  blockedRequests: string[];
  close(): Promise<void>;
}

export function assertDistBuilt(): void {
  const page = join(DIST, 'taskpane.html');
  const bundle = join(DIST, 'taskpane.js');
  if (!existsSync(page) || !existsSync(bundle)) {
    throw new Error(
      `The task pane is not built: ${page} or ${bundle} is missing. Run \`npx webpack --mode production\` (npm test does it) before the end-to-end tests.`,
    );
  }
  if (statSync(bundle).size === 0) throw new Error(`${bundle} is empty; rebuild with \`npx webpack --mode production\`.`);
  const built = statSync(bundle).mtimeMs;
  const newer = newestSource(['taskpane', 'commands', 'functions', 'src'].map((d) => join(ROOT, d)));
  // A warning, not a failure: on a shared machine sources change while a suite runs.
  if (newer && newer.mtimeMs > built) {
    console.warn(`The task pane build is older than ${newer.path}; these tests check the build, not that change. Run \`npx webpack --mode production\` to include it.`);
  }
}

/** The most recently changed bundle source (tests excluded: they are not in the bundle). */
function newestSource(dirs: string[]): { path: string; mtimeMs: number } | null {
  let best: { path: string; mtimeMs: number } | null = null;
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(tsx?|json)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) {
        const m = statSync(p).mtimeMs;
        if (!best || m > best.mtimeMs) best = { path: p, mtimeMs: m };
      }
    }
  };
  dirs.forEach(walk);
  return best;
}

export interface HarnessOptions {
  /** Writes the datasets the test needs into the (empty) datasets folder. */
  prepareDatasets(dir: string): Promise<void>;
  /** Server port chosen beforehand, and more server settings (an identity provider's). */
  port?: number;
  env?: Record<string, string>;
  /** Origins besides the server the page may reach (a test identity provider on loopback). */
  allowOrigins?: string[];
  /** Accept the self-signed certificates of those test servers. */
  ignoreHTTPSErrors?: boolean;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  assertDistBuilt();
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install chromium).`);
  const base = mkdtempSync(join(tmpdir(), 'closedesk-e2e-'));
  const dataDir = join(base, 'data');
  const datasetsDir = join(base, 'datasets');
  const profileDir = join(base, 'chromium-profile');
  for (const d of [dataDir, datasetsDir, profileDir]) mkdirSync(d, { recursive: true });
  await options.prepareDatasets(datasetsDir);

  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(base, { recursive: true, force: true })];
  const close = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (e) {
        console.error('e2e cleanup failed', e);
      }
    }
  };

  try {
    const server = await startE2eServer({ dataDir, datasetsDir, distDir: DIST, port: options.port, env: options.env });
    cleanups.push(() => server.close());

    // A fresh profile per run (persistent context needs the dir; nothing is reused between runs).
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: TASK_PANE_WIDTH, height: 900 },
      acceptDownloads: true,
      ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false,
    });
    cleanups.push(() => context.close());

    const blockedRequests: string[] = [];
    await context.addInitScript(OFFICE_STUB);
    // Only our own server (and the test's identity provider) is reachable: office.js from the CDN and anything else is refused.
    const reachable = new Set([server.origin, ...(options.allowOrigins ?? [])]);
    await context.route(
      (url) => !reachable.has(url.origin),
      (route) => {
        blockedRequests.push(route.request().url());
        return route.abort('blockedbyclient');
      },
    );

    const page = context.pages()[0] ?? (await context.newPage());
    return { server, context, page, dataDir, datasetsDir, blockedRequests, close };
  } catch (e) {
    await close();
    throw e;
  }
}

// Helpers job e2e tests share: open the pane signed in, go to a page, wait for a sentence.

/** Waits until the element's text contains `text` (Playwright's own wait, no fixed sleep). */
export async function expectText(locator: Locator, text: string, timeout = 30_000): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout });
}

/** Opens /taskpane.html and signs in with the development issuer (any page of a browser session on the server). */
export async function openSignedIn(h: Pick<Harness, 'page'> & { server: Pick<RunningServer, 'origin'> }, user = 'alice', role: 'preparer' | 'approver' | 'admin' = 'preparer'): Promise<void> {
  const { page } = h;
  await page.goto(`${h.server.origin}/taskpane.html`);
  await page.getByTestId('sign-in').waitFor();
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Role').selectOption(role);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectText(page.getByTestId('signed-in'), user);
}

/** Opens a page from the navigation: its tab, or the "More pages" menu when the tab did not fit. */
export async function openPage(page: Page, title: string): Promise<Locator> {
  const nav = page.getByRole('navigation', { name: 'Pages' });
  const tab = nav.getByRole('tab', { name: title, exact: true });
  if (await tab.isVisible()) await tab.click();
  else {
    await nav.getByRole('button', { name: /^More pages/ }).click();
    await page.getByRole('menuitem', { name: title, exact: true }).click();
  }
  const region = page.getByRole('region', { name: title, exact: true });
  await region.waitFor();
  return region;
}

/** An approver, on the Approvals page's list (refreshed), opens the settlements posting awaiting approval and approves it. */
export async function approveSettlementsPosting(page: Page): Promise<{ inbox: Locator; detail: Locator }> {
  const inbox = await openPage(page, 'Approvals');
  if (await inbox.getByTestId('batch-detail').isVisible()) await inbox.getByTestId('inbox-back').click();
  await inbox.getByTestId('inbox-refresh').click();
  await inbox.getByTestId('inbox-row').filter({ hasText: 'Settlements → Zoho Books' }).filter({ hasText: 'awaiting approval' }).click();
  const detail = inbox.getByTestId('batch-detail');
  await detail.getByTestId('detail-approve').click();
  await expectText(detail.getByTestId('detail-state'), 'approved');
  return { inbox, detail };
}

/**
 * The harness on the demo data, with the demo FTP target running first: the server registers it as
 * the partner for every card network and SPURSH when it starts, so a flow can be prepared for
 * approval. Signed in as `user`. `close()` stops both.
 */
export async function startDemoHarness(user = 'alice', role: 'preparer' | 'approver' | 'admin' = 'preparer'): Promise<Harness & { demo: DemoFtpTarget }> {
  const ftpDir = mkdtempSync(join(tmpdir(), 'closedesk-e2e-ftp-'));
  const demo = await startDemoFtpTarget(ftpDir, { port: 0 });
  const stopDemo = async () => {
    await demo.close();
    rmSync(ftpDir, { recursive: true, force: true });
  };
  let h: Harness;
  try {
    h = await startHarness({ prepareDatasets: (dir) => generateDemoData(dir) });
  } catch (e) {
    await stopDemo();
    throw e;
  }
  const harness = { ...h, demo, close: async () => (await h.close(), await stopDemo()) };
  await openSignedIn(harness, user, role);
  return harness;
}
