import type { SheetSpec } from '../../../src/workbook/sheet-spec';
import { initialConnectionId, leftOutSentence, panelStep, restActWords, restClose, sheetsWithStatus, type PanelProgress } from './post-panel-state';
import { devId, person, user } from '../../../test/integration/people';

const progress = (p: Partial<PanelProgress>): PanelProgress => ({
  batchState: 'sending',
  total: 4,
  counts: { pending: 1, sending: 1, done: 2, failed: 0, needs_review: 0 },
  fraction: 0.5,
  running: true,
  control: { command: 'run', pausedUntil: null, reason: null },
  last: null,
  ...p,
});

describe('posting panel steps', () => {
  const batch = { id: 'bat_1', version: 1, state: 'awaiting_approval', kind: 'zoho-post', preparedBy: devId('carol'), preparedByName: 'carol', preparers: [person('carol')] };

  it('lets only a preparer prepare, and never while a blocking problem remains', () => {
    expect(panelStep(null, null, user('carol', ['preparer']), false)).toMatchObject({ step: 'prepare', canAct: true });
    expect(panelStep(null, null, user('carol', ['preparer']), true)).toMatchObject({ step: 'prepare', canAct: false });
    expect(panelStep(null, null, user('bob', ['approver']), false)).toMatchObject({ step: 'prepare', canAct: false });
  });

  it('needs an approver other than the preparer', () => {
    expect(panelStep(batch, null, user('carol', ['preparer']), false)).toMatchObject({ step: 'approve', canAct: false, hint: expect.stringContaining('someone else') });
    expect(panelStep(batch, null, user('bob', ['approver']), false)).toMatchObject({ step: 'approve', canAct: true });
  });

  it('asks the approval rule: an admin who prepared nothing may approve; the preparer may not, whatever her roles or spelling', () => {
    expect(panelStep(batch, null, user('root', ['admin']), false)).toMatchObject({ step: 'approve', canAct: true });
    for (const who of [user('Carol', ['approver']), user('carol', ['admin']), user('carol', ['preparer', 'approver'])]) {
      expect(panelStep(batch, null, who, false)).toMatchObject({ step: 'approve', canAct: false, hint: 'You prepared it, so someone else must approve.' });
    }
    const shared = { ...batch, preparers: [person('carol'), person('dave')] };
    expect(panelStep(shared, null, user('dave', ['approver']), false)).toMatchObject({ canAct: false, hint: expect.stringContaining('You prepared part of it') });
    expect(panelStep(batch, null, null, false)).toMatchObject({ step: 'approve', canAct: false, hint: 'Waiting for an approver.' });
  });

  it('follows posting, a daily-limit pause and the end', () => {
    expect(panelStep({ ...batch, state: 'approved' }, null, user('carol', ['preparer']), false)).toMatchObject({ step: 'post', canAct: true });
    expect(panelStep(batch, progress({}), user('carol', ['preparer']), false)).toMatchObject({ step: 'posting' });
    const paused = progress({ running: false, control: { command: 'pause', pausedUntil: '2026-01-06T00:00:00.000Z', reason: "Zoho's daily API limit … accepted again at 2026-01-06T00:00:00.000Z" } });
    expect(panelStep(batch, paused, user('carol', ['preparer']), false)).toMatchObject({ step: 'paused', hint: expect.stringContaining('2026-01-06') });
    const done = progress({ batchState: 'failed', running: false, counts: { pending: 0, sending: 0, done: 3, failed: 1, needs_review: 0 } });
    expect(panelStep(batch, done, user('carol', ['preparer']), false)).toMatchObject({ step: 'rest', canAct: true, count: 1, hint: 'Not all posted: 1 failed (3 of 4 posted) — see why below, then prepare a batch of the 1 not posted.' });
    // everything went out but the census found Zoho differs: that, and what to do, not "0 failed"
    const review = progress({ batchState: 'needs_review', running: false, total: 42, counts: { pending: 0, sending: 0, done: 42, failed: 0, needs_review: 0 } });
    expect(panelStep(batch, review, user('carol', ['preparer']), false)).toMatchObject({ step: 'finished', hint: 'Sent all 42 documents; Zoho differs from what was approved — resolve each finding below.' });
    const posted = progress({ batchState: 'done', running: false, counts: { pending: 0, sending: 0, done: 4, failed: 0, needs_review: 0 } });
    expect(panelStep(batch, posted, user('carol', ['preparer']), false)).toMatchObject({ step: 'finished', hint: 'Posted all 4 documents to Zoho Books.' });
    const cancelled = progress({ batchState: 'cancelled', running: false, counts: { pending: 2, sending: 0, done: 2, failed: 0, needs_review: 0 } });
    expect(panelStep(batch, cancelled, user('carol', ['preparer']), false)).toMatchObject({ step: 'rest', canAct: true, count: 2, hint: 'Cancelled after 2 of 4 documents were posted; 2 not sent — prepare a batch of the 2 not posted.' });
    // a correction batch follows the same steps, in its own words
    const removed = progress({ batchState: 'done', running: false, counts: { pending: 0, sending: 0, done: 1, failed: 0, needs_review: 0 } });
    expect(panelStep({ ...batch, kind: 'zoho-correction' }, removed, user('carol', ['preparer']), false)).toMatchObject({ step: 'finished', hint: 'Removed the copy from Zoho Books.' });
  });
});

describe('the rest of a posting that failed or was cancelled', () => {
  const batch = { id: 'bat_1', version: 1, state: 'sending', kind: 'zoho-post', preparedBy: devId('carol'), preparedByName: 'carol', preparers: [person('carol')] };
  const failed = progress({ batchState: 'failed', running: false, total: 10, counts: { pending: 0, sending: 0, done: 6, failed: 3, needs_review: 1 } });
  const said = 'Not all posted: 3 failed, 1 to check in Zoho (6 of 10 posted) — see why below, then prepare a batch of the 4 not posted.';

  it('offers a preparer a new batch of every document not posted (failed, to check, not sent)', () => {
    expect(panelStep(batch, failed, user('carol', ['preparer']), false)).toEqual({ step: 'rest', canAct: true, count: 4, hint: said });
    const cancelled = progress({ batchState: 'cancelled', running: false, total: 10, counts: { pending: 3, sending: 1, done: 5, failed: 1, needs_review: 0 } });
    expect(panelStep(batch, cancelled, user('carol', ['preparer']), false)).toMatchObject({ step: 'rest', canAct: true, count: 5, hint: expect.stringContaining('prepare a batch of the 5 not posted') });
    // withdrawn before anything was sent: all of it
    const withdrawn = progress({ batchState: 'cancelled', running: false, total: 4, counts: { pending: 4, sending: 0, done: 0, failed: 0, needs_review: 0 } });
    expect(panelStep(batch, withdrawn, user('carol', ['preparer']), false)).toMatchObject({ step: 'rest', count: 4 });
  });

  it('says why the button is disabled: not a preparer, or a blocking problem remains', () => {
    for (const who of [user('bob', ['approver']), user('root', ['admin']), null]) {
      expect(panelStep(batch, failed, who, false)).toEqual({ step: 'rest', canAct: false, count: 4, hint: `${said} A preparer prepares it: sign in as one.` });
    }
    expect(panelStep(batch, failed, user('carol', ['preparer']), true)).toEqual({ step: 'rest', canAct: false, count: 4, hint: `${said} Fix the blocking problems below first: nothing is posted while one remains.` });
  });

  it('is not offered when everything was posted, while the census review is open, or for a correction (it runs again under its approval)', () => {
    const posted = progress({ batchState: 'done', running: false, counts: { pending: 0, sending: 0, done: 4, failed: 0, needs_review: 0 } });
    expect(panelStep(batch, posted, user('carol', ['preparer']), false).step).toBe('finished');
    const review = progress({ batchState: 'needs_review', running: false, counts: { pending: 0, sending: 0, done: 3, failed: 1, needs_review: 0 } });
    expect(panelStep(batch, review, user('carol', ['preparer']), false).step).toBe('finished');
    const cancelledAllDone = progress({ batchState: 'cancelled', running: false, counts: { pending: 0, sending: 0, done: 4, failed: 0, needs_review: 0 } });
    expect(panelStep(batch, cancelledAllDone, user('carol', ['preparer']), false).step).toBe('finished');
    // its rest is in a new batch already (prepared in another pane): where, and no second offer
    expect(panelStep(batch, { ...failed, handedOn: [{ batchId: 'bat_rest', count: 4 }], notHandedOn: 0 }, user('carol', ['preparer']), false)).toEqual({ step: 'finished', canAct: false, hint: 'Not all posted: 3 failed, 1 to check in Zoho (6 of 10 posted) — see why below; the 4 not posted went into batch bat_rest.' });
    expect(panelStep({ ...batch, kind: 'zoho-correction' }, failed, user('carol', ['preparer']), false)).toMatchObject({ step: 'finished', hint: expect.stringContaining('send them again') });
  });
});

describe('a batch of the rest that took only part of what a posting did not post', () => {
  const batch = { id: 'bat_1', version: 1, state: 'failed', kind: 'zoho-post', preparedBy: devId('carol'), preparedByName: 'carol', preparers: [person('carol')] };
  const failed = progress({ batchState: 'failed', running: false, total: 10, counts: { pending: 0, sending: 0, done: 6, failed: 3, needs_review: 1 } });
  const part = { ...failed, handedOn: [{ batchId: 'bat_rest', count: 3 }], notHandedOn: 1 };

  it('offers a batch of those no batch took, and says where the others went', () => {
    expect(panelStep(batch, part, user('carol', ['preparer']), false)).toEqual({
      step: 'rest',
      canAct: true,
      count: 1,
      hint: 'Not all posted: 3 failed, 1 to check in Zoho (6 of 10 posted) — see why below; 3 of the 4 not posted went into batch bat_rest; prepare a batch of the 1 left.',
    });
    expect(panelStep(batch, part, user('bob', ['approver']), false)).toMatchObject({ step: 'rest', canAct: false, count: 1 });
    const cancelled = progress({ batchState: 'cancelled', running: false, total: 10, counts: { pending: 3, sending: 1, done: 5, failed: 1, needs_review: 0 } });
    const twoBatches = { ...cancelled, handedOn: [{ batchId: 'bat_r1', count: 2 }, { batchId: 'bat_r2', count: 1 }], notHandedOn: 2 };
    expect(panelStep(batch, twoBatches, user('carol', ['preparer']), false)).toMatchObject({ step: 'rest', count: 2, hint: expect.stringContaining('3 of the 5 not posted went into batches bat_r1 (2), bat_r2 (1); prepare a batch of the 2 left') });
  });

  it('is finished once batches of the rest took every one', () => {
    const all = { ...failed, handedOn: [{ batchId: 'bat_rest', count: 3 }, { batchId: 'bat_more', count: 1 }], notHandedOn: 0 };
    expect(panelStep(batch, all, user('carol', ['preparer']), false)).toEqual({ step: 'finished', canAct: false, hint: 'Not all posted: 3 failed, 1 to check in Zoho (6 of 10 posted) — see why below; the 4 not posted went into batches bat_rest (3), bat_more (1).' });
  });
});

describe('closing the rest of a posting without posting', () => {
  const batch = { id: 'bat_1', version: 1, state: 'failed', kind: 'zoho-post', preparedBy: devId('carol'), preparedByName: 'carol', preparers: [person('carol')] };
  const failed = progress({ batchState: 'failed', running: false, total: 10, counts: { pending: 0, sending: 0, done: 6, failed: 3, needs_review: 1 } });

  it('is offered beside the batch of the rest to a preparer or an approver (an admin too, as the server), blocked workbook or not; others read why not', () => {
    for (const who of [user('carol', ['preparer']), user('bob', ['approver']), user('root', ['admin'])]) expect(restClose(4, who)).toMatchObject({ canAct: true, hint: expect.stringContaining('close them without posting, saying why') });
    for (const who of [user('dave', []), null]) expect(restClose(4, who)).toEqual({ canAct: false, hint: 'A preparer or an approver closes them without posting: sign in as one.' });
    expect(restClose(1, user('carol', ['preparer'])).hint).toBe('If the 1 document not posted is not to be posted (refused for good, or built again under other keys), close it without posting, saying why.');
  });

  it('once closed: finished, saying who closed them and why, with nothing more offered', () => {
    const closed = { ...failed, handedOn: [], notHandedOn: 0, closed: { count: 4, byName: 'alice', reason: 'Rebuilt one per settlement.', at: '' } };
    for (const who of [user('carol', ['preparer']), user('bob', ['approver'])]) {
      expect(panelStep(batch, closed, who, false)).toEqual({
        step: 'finished',
        canAct: false,
        hint: 'Not all posted: 3 failed, 1 to check in Zoho (6 of 10 posted) — the 4 not posted were closed without posting by alice: Rebuilt one per settlement.',
      });
    }
    // some in a batch of the rest, the others closed: finished too
    const both = { ...closed, handedOn: [{ batchId: 'bat_rest', count: 3 }], closed: { ...closed.closed, count: 1 } };
    expect(panelStep(batch, both, user('carol', ['preparer']), false)).toMatchObject({ step: 'finished', hint: expect.stringContaining('3 of the 4 not posted went into batch bat_rest; the other 1 was closed without posting by alice') });
  });

  it('looking up the unsure ones in Zoho: the same people as closing (one rule, as on the server), the hint saying nothing is sent', () => {
    for (const who of [user('carol', ['preparer']), user('bob', ['approver']), user('root', ['admin'])]) {
      expect(restClose(2, who, 'look-up')).toEqual({ canAct: true, hint: '2 documents sent without Zoho confirming them may be in Zoho already. Looking them up sends nothing: those found are recorded as posted; the others may then be closed without posting or go into a batch of the rest.' });
    }
    for (const who of [user('dave', []), null]) expect(restClose(1, who, 'look-up')).toEqual({ canAct: false, hint: 'A preparer or an approver looks it up in Zoho: sign in as one.' });
  });

  it('reopening a closed rest: the same people as closing, and its own words; once reopened, the batch of the rest is offered again', () => {
    for (const who of [user('carol', ['preparer']), user('bob', ['approver']), user('root', ['admin'])]) expect(restClose(4, who, 'reopen')).toMatchObject({ canAct: true, hint: expect.stringContaining('reopen them, saying why') });
    for (const who of [user('dave', []), null]) expect(restClose(4, who, 'reopen')).toEqual({ canAct: false, hint: 'A preparer or an approver reopens them: sign in as one.' });
    expect(restClose(1, user('carol', ['preparer']), 'reopen').hint).toBe('If the 1 document closed without posting is to be posted after all, reopen it, saying why: a batch of the rest may then take it.');
    expect(restActWords('reopen', 4)).toEqual({
      open: 'Reopen the 4 closed',
      question: 'Why are the 4 documents reopened?',
      hint: 'Saved with your name, beside who closed them and why. Nothing is sent to Zoho; they are left again, for a batch of the rest.',
      confirm: 'Reopen them',
      keep: 'Keep them closed',
      failed: "The documents could not be reopened; the details are in the browser's console.",
    });
    expect(restActWords('reopen', 1)).toMatchObject({ open: 'Reopen the 1 closed', question: 'Why is the 1 document reopened?', confirm: 'Reopen it', keep: 'Keep it closed' });
    // closing keeps its words
    expect(restActWords('close', 1)).toMatchObject({ open: 'Close the 1 without posting', question: 'Why is the 1 document not to be posted?', confirm: 'Close it without posting', keep: 'Keep it open' });
    expect(restActWords('close', 3).hint).toBe('Saved with your name. Nothing is sent to Zoho, and no batch of the rest takes them later.');
    // Reopened, the server counts them as left again (no closed): the panel offers the batch of the rest for all 4.
    const reopened = { ...failed, handedOn: [], notHandedOn: 4 };
    expect(panelStep(batch, reopened, user('carol', ['preparer']), false)).toEqual({
      step: 'rest',
      canAct: true,
      count: 4,
      hint: 'Not all posted: 3 failed, 1 to check in Zoho (6 of 10 posted) — see why below, then prepare a batch of the 4 not posted.',
    });
  });

  it('a batch of the rest says it left out those closed, and the counts add up', () => {
    expect(leftOutSentence(8, 6, [], 1)).toBe('6 documents already in Zoho and 1 closed without posting left out; this batch holds the other 1 document.');
    expect(leftOutSentence(8, 0, [], 2)).toBe('2 documents closed without posting left out; this batch holds the other 6 documents.');
    expect(leftOutSentence(8, 5, [{ batchId: 'bat_x', count: 1 }], 1)).toBe('5 documents already in Zoho, 1 in batch bat_x and 1 closed without posting left out; this batch holds the other 1 document.');
  });
});

describe('status written back to the sheets', () => {
  it('adds a STATUS column by KEY and leaves sheets without KEY alone', () => {
    const invoices: SheetSpec = { name: 'Invoices', columns: [{ header: 'KEY', type: 'text' }, { header: 'NUMBER', type: 'text' }], rows: [['s:invoice:A', 'A'], ['s:invoice:B', 'B']] };
    const recon: SheetSpec = { name: 'Reconciliation', columns: [{ header: 'TOTAL', type: 'money' }], rows: [[100]] };
    const out = sheetsWithStatus([invoices, recon], [
      { idempotencyKey: 's:invoice:A', kind: 'invoice', state: 'done', zohoId: '460000000000000001', code: null, status: 'Posted: 460000000000000001' },
      { idempotencyKey: 's:invoice:B', kind: 'invoice', state: 'failed', zohoId: null, code: 1002, status: 'Zoho 1002: Item does not exist.' },
    ]);
    expect(out).toHaveLength(1);
    expect(out[0].columns.map((c) => c.header)).toEqual(['KEY', 'NUMBER', 'STATUS']);
    expect(out[0].rows).toEqual([
      ['s:invoice:A', 'A', 'Posted: 460000000000000001'],
      ['s:invoice:B', 'B', 'Zoho 1002: Item does not exist.'],
    ]);
  });
});

test('the sheets of the batch of the rest say where each document is now, a row it left out too', () => {
  const journals: SheetSpec = { name: 'Journals', columns: [{ header: 'KEY', type: 'text' }], rows: [['s:journal:1'], ['s:journal:2'], ['s:journal:3']] };
  // s:journal:1 was posted by the batch before (left out of the rest), s:journal:2 by the rest
  const now = [
    { idempotencyKey: 's:journal:1', kind: 'journal', state: 'done', zohoId: '460000000000000001', code: null, status: 'Posted: 460000000000000001' },
    { idempotencyKey: 's:journal:2', kind: 'journal', state: 'done', zohoId: '460000000000000002', code: null, status: 'Posted: 460000000000000002' },
  ];
  expect(sheetsWithStatus([journals], now)[0].rows).toEqual([
    ['s:journal:1', 'Posted: 460000000000000001'],
    ['s:journal:2', 'Posted: 460000000000000002'],
    // held by no batch: no status rather than an old one
    ['s:journal:3', null],
  ]);
});

test('the panel starts on the connection the Zoho ids came from, else the only one', () => {
  const list = [{ id: 'a' }, { id: 'b' }];
  expect(initialConnectionId(list, 'b')).toBe('b');
  expect(initialConnectionId(list)).toBe('');
  expect(initialConnectionId(list, 'gone')).toBe('');
  expect(initialConnectionId([{ id: 'a' }], 'gone')).toBe('a');
  expect(initialConnectionId([])).toBe('');
});

test('what a batch of the rest left out: the documents in Zoho, and those another batch of the rest holds', () => {
  expect(leftOutSentence(8, 1)).toBe('1 document already in Zoho left out; this batch holds the other 7 documents.');
  expect(leftOutSentence(8, 6, [{ batchId: 'bat_x', count: 1 }])).toBe('6 documents already in Zoho and 1 in batch bat_x left out; this batch holds the other 1 document.');
  expect(leftOutSentence(8, 0, [{ batchId: 'bat_x', count: 2 }, { batchId: 'bat_y', count: 1 }])).toBe('3 documents in batches bat_x (2), bat_y (1) left out; this batch holds the other 5 documents.');
});
