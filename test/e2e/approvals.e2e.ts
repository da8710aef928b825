/**
 * The approvals inbox with two people in two browser sessions at 350 px, on the demo data, against
 * the real server, a real FTP target on loopback and the Zoho Books sandbox: alice (preparer)
 * prepares a chargebacks delivery and a settlements posting on their pages; bob (approver) sees
 * both in his inbox with the badge count, opens each, reviews what will leave (the files' first
 * rows and totals, the documents' totals), approves, and sends the files / posts the documents from
 * the inbox; the files arrive on the FTP server, the documents in the sandbox, and both show as
 * done — to bob and in alice's inbox. Then alice trims a new batch before approval (a new version)
 * and withdraws it. Last, a second settlement posted while both watch it run (one write held at
 * the sandbox until they have), a copy of its journal planted so the census finds a duplicate, and
 * the correction: alice keeps one copy, bob approves, alice removes the other from Zoho. Every step
 * fits the pane; screenshots in test-results/approvals/.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { generateDemoData } from '../../scripts/generate-demo-data';
import { startDemoFtpTarget, type DemoFtpTarget } from '../../server/dev/demo-ftp-target';
import type { RunningSandbox, WriteHook } from '../../server/dev/zoho-sandbox';
import { connectSandbox, startSandbox } from '../integration/zoho-fixtures';
import { approveSettlementsPosting, assertDistBuilt, CHROMIUM, CHROMIUM_ARGS, DIST, expectText, OFFICE_STUB, openPage, openSignedIn, RESULTS, TASK_PANE_WIDTH } from './harness';
import { expectBarShowsCount, expectFitsPane } from './layout';
import { startE2eServer, type RunningServer } from './server';

const SHOTS = join(RESULTS, 'approvals');

let base: string;
let ftp: DemoFtpTarget;
let sb: RunningSandbox;
let server: RunningServer;
let browser: Browser;
const sessions: Record<'alice' | 'bob', { context: BrowserContext; page: Page }> = {} as never;
const offMachine: string[] = [];

/**
 * Set by the last test, before its posting starts: the next write Zoho receives waits until the test
 * has seen the posting running, and a copy of the settlement's journal is put in the books just
 * before the batch's own arrives (another process posted it), so the census finds a duplicate.
 */
let holdNextWrite: { arrived(): void; released: Promise<void> } | null = null;
let plantJournalCopy: string | null = null;
const beforeWrite: WriteHook = async ({ template, body }) => {
  const b = body as { reference_number?: string; journal_date?: string; line_items?: { debit_or_credit: string; amount: number }[] };
  if (template === '/journals' && plantJournalCopy && b.reference_number === plantJournalCopy) {
    plantJournalCopy = null;
    const books = sb.sandbox.state.data.books[0]!;
    const cents = Math.round((b.line_items ?? []).filter((l) => l.debit_or_credit === 'debit').reduce((t, l) => t + l.amount, 0) * 100);
    books.journals.push({ journal_id: sb.sandbox.state.newId(), entry_number: 'X1', journal_date: b.journal_date ?? '', reference_number: b.reference_number, notes: 'posted by someone else', status: 'draft', totalCents: cents, line_items: [], created_time: '' });
  }
  const hold = holdNextWrite;
  if (!hold) return;
  holdNextWrite = null;
  hold.arrived();
  await hold.released;
};

async function session(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: TASK_PANE_WIDTH, height: 900 } });
  await context.addInitScript(OFFICE_STUB);
  await context.route(
    (url) => url.origin !== server.origin,
    (route) => {
      offMachine.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  return { context, page: await context.newPage() };
}

beforeAll(async () => {
  assertDistBuilt();
  base = mkdtempSync(join(tmpdir(), 'closedesk-approvals-e2e-'));
  const datasets = join(base, 'datasets');
  mkdirSync(datasets, { recursive: true });
  await generateDemoData(datasets);
  // The FTP target first: the server registers it as the partner for every network when it starts.
  ftp = await startDemoFtpTarget(join(base, 'ftp'), { port: 0 });
  sb = await startSandbox({ beforeWrite });
  server = await startE2eServer({ dataDir: join(base, 'data'), datasetsDir: datasets, distDir: DIST });
  // No 90-calls-a-minute budget: three postings and their census in a minute would wait for the next minute.
  await connectSandbox(server.app.ctx.store, server.app.ctx.secrets, sb, 'Demo books (sandbox)', { perMinute: 1_000_000 });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  sessions.alice = await session();
  sessions.bob = await session();
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await sb?.close();
  await ftp?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

async function pickDataset(page: Page, testId: string, name: string): Promise<void> {
  const select = page.getByTestId(testId);
  const option = select.locator('option', { hasText: name }).first();
  await option.waitFor({ state: 'attached' });
  await select.selectOption({ value: (await option.getAttribute('value'))! });
}

/** Presses the ribbon's Approvals button (through the commands bundle): the inbox list, read afresh. */
function openApprovalsFromRibbon(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const handlers = (window as unknown as { __ribbonHandlers?: Record<string, (e: { completed(): void }) => Promise<void>> }).__ribbonHandlers;
    if (!handlers?.OpenApprovals) throw new Error('The ribbon command OpenApprovals was not registered.');
    let completed = false;
    await handlers.OpenApprovals({ completed: () => void (completed = true) });
    return completed;
  });
}

let chargebackFiles: string[] = [];

test('alice prepares a chargebacks delivery and a settlements posting on their pages', async () => {
  const { page } = sessions.alice;
  await openSignedIn({ page, server }, 'alice', 'preparer');

  const cb = await openPage(page, 'Chargebacks');
  await cb.getByRole('radio', { name: 'A dataset on the server' }).check();
  await pickDataset(page, 'cb-dataset', 'chargebacks-2024-11.csv');
  await cb.getByTestId('cb-build').click();
  await expectText(cb.getByTestId('cb-outcome'), 'valid records in');
  await cb.getByTestId('cb-prepare').click();
  const card = cb.getByTestId('delivery-card');
  await expectText(card.getByTestId('delivery-state'), 'awaiting approval');
  chargebackFiles = (await card.getByTestId('delivery-file').allTextContents()).map((t) => t.split(' → ')[0]!.trim());
  expect(chargebackFiles.length).toBeGreaterThan(0);
  await expectText(card, 'so someone else must approve');

  const st = await openPage(page, 'Settlements');
  await st.getByRole('radio', { name: 'A dataset on the server' }).check();
  await pickDataset(page, 'settlements-dataset', 'settlement-11873355301.txt');
  await st.getByTestId('settlements-build').click();
  await expectText(st.getByTestId('settlements-outcome'), 'Ready to post.');
  const panel = st.getByTestId('post-panel');
  await panel.getByRole('button', { name: 'Prepare batch' }).click();
  await expectText(panel, 'awaiting approval');

  // Her inbox shows both as hers, with the rule's sentence, and nothing waits for her decision.
  const inbox = await openPage(page, 'Approvals');
  await inbox.getByTestId('inbox-refresh').click();
  await expectText(inbox.getByTestId('inbox-summary'), '0 batches wait for your decision.');
  const yours = inbox.locator('[data-testid="inbox-group"][data-group="yours"]');
  await expectText(yours, 'Yours, awaiting approval');
  await expectText(inbox.getByTestId('inbox-list'), 'so someone else must approve it. You can withdraw it');
  expect(await page.getByTestId('approvals-badge').count()).toBe(0);
  await expectFitsPane(page, 'approvals-alice-prepared');
  await shot(page, '1-alice-her-batches');
});

test('bob sees both in his inbox with the badge, reviews the files and approves; the files are sent to the FTP server', async () => {
  const { page } = sessions.bob;
  await openSignedIn({ page, server }, 'bob', 'approver');
  await expectText(page.getByTestId('approvals-badge'), '2');
  // The ribbon's Approvals button opens the inbox.
  expect(await openApprovalsFromRibbon(page)).toBe(true);
  const inbox = page.getByRole('region', { name: 'Approvals', exact: true });
  await inbox.waitFor();
  await expectText(inbox.getByTestId('inbox-summary'), '2 batches wait for your decision.');
  const decide = inbox.locator('[data-testid="inbox-group"][data-group="decide"]');
  await expectText(decide, 'Waiting for your decision');
  const rows = inbox.getByTestId('inbox-row');
  await expect(rows.count()).resolves.toBe(2);
  await expectText(rows.filter({ hasText: 'Chargeback files → partner' }), 'alice · ');
  await expectText(rows.filter({ hasText: 'Settlements → Zoho Books' }).getByTestId('inbox-totals'), 'invoices');
  await expectFitsPane(page, 'approvals-bob-inbox');
  await shot(page, '2-bob-inbox');

  await rows.filter({ hasText: 'Chargeback files' }).click();
  const detail = inbox.getByTestId('batch-detail');
  await expectText(detail.getByTestId('detail-rule'), 'You prepared none of it');
  const files = detail.getByTestId('content-file');
  await files.first().waitFor();
  await expect(files.count()).resolves.toBe(chargebackFiles.length);
  // The first file as it will leave: its first rows under its header, the row count and the money total.
  const firstRows = files.first().getByTestId('content-file-rows');
  await expect(firstRows.locator('th').allTextContents()).resolves.toEqual(['CASE_ID', 'NETWORK', 'REASON_CODE', 'AMOUNT', 'CURRENCY', 'TRANSACTION_DATE', 'ARN', 'MERCHANT_ID', 'DUE_DATE', 'STATUS']);
  expect(await firstRows.locator('tbody tr').count()).toBeGreaterThan(0);
  await expectText(files.first().getByTestId('content-file-figures'), 'AMOUNT');
  const figures = (await files.first().getByTestId('content-file-figures').textContent())!;
  expect(figures).toMatch(/^\d+ rows? · AMOUNT -?\d{1,3}(,\d{3})*\.\d{2} [A-Z]{3}/);
  await expectText(detail.getByTestId('detail-hash'), 'an approval is for exactly this content');
  await expectFitsPane(page, 'approvals-bob-review-files');
  await shot(page, '3-bob-reviews-files');

  await detail.getByTestId('detail-approve').click();
  await expectText(detail.getByTestId('detail-state'), 'approved');
  const delivery = detail.getByTestId('delivery-card');
  await delivery.getByTestId('delivery-send').click();
  await expectText(delivery.getByTestId('delivery-state'), 'done', 60_000);
  await expect(delivery.getByTestId('delivery-receipt').count()).resolves.toBe(chargebackFiles.length);
  await expectText(delivery.getByTestId('delivery-receipt').first(), 'FTP 127.0.0.1:inbox/');
  await expectFitsPane(page, 'approvals-bob-sent');
  await shot(page, '4-bob-files-sent');
  // They are on the partner's server, byte for byte what was reviewed (no formula cells to neutralise in the demo).
  const arrived = readdirSync(ftp.dir).sort();
  expect(arrived).toEqual([...chargebackFiles].sort());
  expect(readFileSync(join(ftp.dir, chargebackFiles[0]!), 'utf8').split('\r\n')[0]).toBe('CASE_ID,NETWORK,REASON_CODE,AMOUNT,CURRENCY,TRANSACTION_DATE,ARN,MERCHANT_ID,DUE_DATE,STATUS');
  await expectText(page.getByTestId('approvals-badge'), '1');
});

test('bob reviews the Zoho documents by type, approves, and posts them to the sandbox from the inbox', async () => {
  const { page } = sessions.bob;
  const inbox = page.getByRole('region', { name: 'Approvals', exact: true });
  await inbox.getByTestId('inbox-back').click();
  await inbox.getByTestId('inbox-row').filter({ hasText: 'Settlements → Zoho Books' }).click();
  const detail = inbox.getByTestId('batch-detail');
  const totals = detail.getByTestId('content-document-total');
  await totals.first().waitFor();
  await expect(totals.count()).resolves.toBeGreaterThanOrEqual(2);
  // One card per type: its count and its amount per currency.
  expect((await totals.allTextContents()).join(' | ')).toMatch(/^\d+ invoices?USD\d{1,3}(,\d{3})*\.\d{2} \| \d+ payments?USD\d{1,3}(,\d{3})*\.\d{2}/);
  await detail.getByTestId('content-documents').waitFor();
  await expectFitsPane(page, 'approvals-bob-review-documents');
  await shot(page, '5-bob-reviews-documents');

  const before = sb.sandbox.state.data.books[0]!;
  const counts = () => before.invoices.length + before.payments.length + before.journals.length;
  const was = counts();
  await detail.getByTestId('detail-approve').click();
  await expectText(detail.getByTestId('detail-state'), 'approved');
  await detail.getByTestId('posting-start').click();
  await expectText(detail.getByTestId('posting-result'), 'Posted all', 60_000);
  const posted = Number(/Posted all (\d+) documents/.exec((await detail.getByTestId('posting-result').textContent())!)![1]);
  expect(counts() - was).toBe(posted);
  await expectFitsPane(page, 'approvals-bob-posted');
  await shot(page, '6-bob-posted');
  expect(await page.getByTestId('approvals-badge').count()).toBe(0);
});

test('alice sees both batches done in her inbox', async () => {
  const { page } = sessions.alice;
  const inbox = await openPage(page, 'Approvals');
  await inbox.getByTestId('inbox-refresh').click();
  const finished = inbox.locator('[data-testid="inbox-group"][data-group="finished"]');
  await expectText(finished, 'Finished recently');
  const rows = inbox.getByTestId('inbox-row');
  await expectText(rows.filter({ hasText: 'Chargeback files' }).getByTestId('inbox-state'), 'done');
  await expectText(rows.filter({ hasText: 'Settlements → Zoho Books' }).getByTestId('inbox-state'), 'done');
  await expectText(rows.filter({ hasText: 'Settlements → Zoho Books' }), 'Posted all');
  await expectFitsPane(page, 'approvals-alice-done');
  await shot(page, '7-alice-done');
  expect(offMachine).toEqual([]);
  expect(existsSync(join(ftp.dir, chargebackFiles[0]!))).toBe(true);
});

test('before approval alice removes a file from a new batch, then withdraws it', async () => {
  const { page } = sessions.alice;
  const cb = await openPage(page, 'Chargebacks');
  await cb.getByTestId('cb-batch').fill('B2');
  await cb.getByTestId('cb-build').click();
  await expectText(cb.getByTestId('cb-outcome'), 'valid records in');
  await cb.getByTestId('cb-prepare').click();
  await expectText(cb.getByTestId('delivery-card').getByTestId('delivery-state'), 'awaiting approval');

  const inbox = await openPage(page, 'Approvals');
  await inbox.getByTestId('inbox-refresh').click();
  const row = inbox.getByTestId('inbox-row').filter({ hasText: 'awaiting approval' });
  await expectText(row, 'v1');
  await row.click();
  const detail = inbox.getByTestId('batch-detail');
  await expectText(detail.getByTestId('detail-rule'), 'so someone else must approve it');
  const boxes = detail.getByTestId('remove-item');
  await boxes.first().waitFor();
  const files = await boxes.count();
  await boxes.first().click();
  await detail.getByTestId('detail-remove').click();
  // A new version, one file fewer, and the change shown as the approver will see it.
  await expectText(detail.getByTestId('content-diff'), 'Since version 1: 1 removed');
  await expectText(detail, 'version 2');
  await expect(detail.getByTestId('content-file').count()).resolves.toBe(files - 1);
  await expectFitsPane(page, 'approvals-alice-removed');
  await shot(page, '8-alice-removed-a-file');

  await detail.getByTestId('detail-withdraw').click();
  await expectText(detail.getByTestId('detail-state'), 'cancelled');
  await detail.getByTestId('inbox-back').click();
  await expectText(inbox.getByTestId('inbox-row').filter({ hasText: 'cancelled' }), 'Withdrawn or cancelled');
  await shot(page, '9-alice-withdrew');
});

test('a posting followed while it runs, on the Settlements page and in the inbox; the duplicate the census finds is corrected', async () => {
  const alice = sessions.alice.page;
  const bob = sessions.bob.page;
  const st = await openPage(alice, 'Settlements');
  await pickDataset(alice, 'settlements-dataset', 'settlement-11873355302.txt');
  await st.getByTestId('settlements-build').click();
  await expectText(st.getByTestId('settlements-outcome'), 'Ready to post.');
  const panel = st.getByTestId('post-panel');
  await panel.getByRole('button', { name: 'Prepare batch' }).click();
  await expectText(panel, 'awaiting approval');

  const { inbox, detail } = await approveSettlementsPosting(bob);

  // The first document waits at Zoho until both people have seen the posting under way.
  let arrived!: () => void;
  let release!: () => void;
  const writeArrived = new Promise<void>((r) => (arrived = r));
  holdNextWrite = { arrived: () => arrived(), released: new Promise<void>((r) => (release = r)) };
  plantJournalCopy = '11873355302';
  try {
    await detail.getByTestId('posting-start').click();
    await writeArrived;
    const run = detail.getByTestId('posting-run');
    await expectText(run, 'Posting to Zoho Books');
    await expectFitsPane(bob, 'approvals-bob-posting-running');
    await shot(bob, '10-bob-posting-running');
    await panel.getByTestId('post-progress').waitFor();
    await expectText(panel, 'Posting to Zoho');
    await expectBarShowsCount(panel.getByTestId('post-progress'), panel);
    await expectBarShowsCount(run.getByTestId('posting-progress'), run);
    await expectFitsPane(alice, 'settlements-posting-running');
    await shot(alice, '11-alice-posting-running');
    // The narrowest pane too: the batch id, one long word, stays inside the panel.
    await alice.setViewportSize({ width: 320, height: 900 });
    await expectFitsPane(alice, 'settlements-posting-running-320');
    await alice.setViewportSize({ width: TASK_PANE_WIDTH, height: 900 });
  } finally {
    release();
  }

  // The census finds the planted copy: the batch needs review, and alice proposes which copy to keep.
  const review = panel.getByTestId('post-review');
  await expectText(review, 'Zoho does not hold one document of this batch exactly once', 60_000);
  // What happened and what to do, above the finding: not "Finished with problems … 0 failed".
  await expectText(panel.getByTestId('post-hint'), 'Zoho differs from what was approved — resolve each finding below.');
  expect(await panel.getByTestId('post-hint').textContent()).not.toMatch(/\b0 /);
  await expectFitsPane(alice, 'settlements-review-duplicate');
  await shot(alice, '12-alice-duplicate-found');
  await alice.setViewportSize({ width: 320, height: 900 });
  await expectFitsPane(alice, 'settlements-review-duplicate-320');
  await alice.setViewportSize({ width: TASK_PANE_WIDTH, height: 900 });
  await review.getByRole('button', { name: 'Keep it, remove the others' }).click();
  const correction = review.getByTestId('post-correction');
  await expectText(correction, 'Correction ');
  await expectFitsPane(alice, 'settlements-correction-awaiting-approval');
  await shot(alice, '13-alice-correction-awaiting-approval');

  // The batch in review stays open in bob's inbox: his detail shows what the census found and the correction.
  await expectText(detail.getByTestId('detail-state'), 'needs review', 60_000);
  await expectText(detail.getByTestId('post-review'), 'Zoho does not hold one document of this batch exactly once');
  await expectText(detail.getByTestId('post-correction'), 'Correction ');
  await expectText(detail.getByTestId('posting-result'), 'Zoho differs from what was approved — resolve each finding below.');
  expect(await detail.getByTestId('posting-progress').count()).toBe(0);
  await expectFitsPane(bob, 'approvals-bob-batch-in-review');
  await shot(bob, '12b-bob-batch-in-review');
  await bob.setViewportSize({ width: 320, height: 900 });
  await expectFitsPane(bob, 'approvals-bob-batch-in-review-320');
  await bob.setViewportSize({ width: TASK_PANE_WIDTH, height: 900 });

  // bob approves the correction in his inbox; alice removes the copy from Zoho.
  await inbox.getByTestId('inbox-back').click();
  await inbox.getByTestId('inbox-refresh').click();
  await expectText(inbox.getByTestId('inbox-row').filter({ hasText: 'needs review' }), 'Zoho differs from what was approved — open it and resolve each finding.');
  await expectFitsPane(bob, 'approvals-bob-inbox-in-review');
  await inbox.getByTestId('inbox-row').filter({ hasText: 'Zoho Books: correction' }).filter({ hasText: 'awaiting approval' }).click();
  await detail.getByTestId('detail-approve').click();
  await expectText(detail.getByTestId('detail-state'), 'approved');
  const remove = correction.getByRole('button', { name: 'Remove from Zoho' });
  await remove.waitFor();
  await expectText(correction, 'approved, ready to remove the copies from Zoho.');
  await expectFitsPane(alice, 'settlements-correction-approved');
  await shot(alice, '14-alice-correction-approved');
  await remove.click();
  await expectText(review, 'Review settled', 60_000);
  await expectText(review.getByTestId('post-review-hint'), 'Resolved by');
  // the batch the review settled reads as posted, not still in review
  await expectText(panel.getByTestId('post-batch-state'), 'done');
  await expectFitsPane(alice, 'settlements-correction-done');
  await shot(alice, '15-alice-correction-done');
  expect(sb.sandbox.state.data.books[0]!.journals.filter((j) => j.reference_number === '11873355302')).toHaveLength(1);
  expect(offMachine).toEqual([]);
});
