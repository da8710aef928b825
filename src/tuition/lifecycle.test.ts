import { devSubject, identityKey, legacyPerson, type Person } from '../approval/identity';
import type { User } from '../approval/rule';
import {
  allowedInvoiceActions,
  customerApprover,
  editedInvoice,
  mailboxOf,
  maskAddress,
  INVOICE_STATES,
  invoiceApprovalStands,
  invoiceTransition,
  type InvoiceAction,
  type InvoiceActionType,
  type InvoiceActor,
  type InvoiceFacts,
  type InvoiceState,
} from './lifecycle';

const user = (name: string, roles: string[]): User => ({ id: identityKey({ issuer: 'urn:closedesk:dev-issuer', subject: devSubject(name) }), name, roles });
const p = (u: User): Person => ({ id: u.id, name: u.name });

// alice made version 1; erin (preparer + approver) made version 2, the current one.
const alice = user('alice', ['preparer']);
const erin = user('erin', ['preparer', 'approver']);
const bob = user('bob', ['approver']);
const root = user('root', ['admin']);
const customer = customerApprover('Northwind Traders', 'AP@northwind.test');

const ACTORS: [string, InvoiceActor][] = [
  ['alice', { kind: 'person', user: alice }],
  ['erin', { kind: 'person', user: erin }],
  ['bob', { kind: 'person', user: bob }],
  ['customer', { kind: 'person', user: customer }],
  ['root', { kind: 'person', user: root }],
  ['worker', { kind: 'worker' }],
];

function invoice(state: InvoiceState, extra: Partial<InvoiceFacts> = {}): InvoiceFacts {
  const decided = state === 'approved' || state === 'delivered' ? 'approved' : state === 'denied' ? 'denied' : null;
  return {
    number: 'TU-2024-11-NORTHWIND-TRADERS-USD',
    month: '2024-11',
    currency: 'USD',
    state,
    version: 2,
    hash: 'h2',
    preparedBy: p(erin),
    preparers: [p(alice), p(erin)],
    decision: decided ? { decision: decided, version: 2, hash: 'h2', reason: decided === 'denied' ? 'Dina left in October' : null } : null,
    ...extra,
  };
}

const ACTIONS: Record<InvoiceActionType, InvoiceAction> = {
  revise: { type: 'revise', expectedVersion: 2, number: 'TU-2024-11-NORTHWIND-TRADERS-USD', month: '2024-11', currency: 'USD', hash: 'h3' },
  'send-for-approval': { type: 'send-for-approval' },
  approve: { type: 'approve', shownHash: 'h2' },
  deny: { type: 'deny', shownHash: 'h2', reason: 'not ours' },
  deliver: { type: 'deliver' },
  'mark-delivered': { type: 'mark-delivered', version: 2 },
};

/** Rows: states in INVOICE_STATES order; columns: alice, erin, bob, customer, root, worker. "=" marks "nothing changes". */
type Row = [string, string, string, string, string, string];
const EXPECTED: Record<InvoiceActionType, Record<InvoiceState, Row>> = {
  revise: {
    draft: ['draft', 'draft', '!wrong-role', '!wrong-role', 'draft', '!person-only'],
    awaiting_approval: ['draft', 'draft', '!wrong-role', '!wrong-role', 'draft', '!person-only'],
    approved: ['draft', 'draft', '!wrong-role', '!wrong-role', 'draft', '!person-only'],
    denied: ['draft', 'draft', '!wrong-role', '!wrong-role', 'draft', '!person-only'],
    delivered: ['!already-delivered', '!already-delivered', '!wrong-role', '!wrong-role', '!already-delivered', '!person-only'],
  },
  'send-for-approval': {
    draft: ['awaiting_approval', 'awaiting_approval', '!wrong-role', '!wrong-role', 'awaiting_approval', '!person-only'],
    awaiting_approval: ['awaiting_approval', 'awaiting_approval', '!wrong-role', '!wrong-role', 'awaiting_approval', '!person-only'],
    approved: ['!wrong-state', '!wrong-state', '!wrong-role', '!wrong-role', '!wrong-state', '!person-only'],
    denied: ['!wrong-state', '!wrong-state', '!wrong-role', '!wrong-role', '!wrong-state', '!person-only'],
    delivered: ['!wrong-state', '!wrong-state', '!wrong-role', '!wrong-role', '!wrong-state', '!person-only'],
  },
  approve: {
    draft: ['!maker-checker', '!maker-checker', '!not-awaiting', '!not-awaiting', '!not-awaiting', '!person-only'],
    awaiting_approval: ['!maker-checker', '!maker-checker', 'approved', 'approved', 'approved', '!person-only'],
    approved: ['!maker-checker', '!maker-checker', '!not-awaiting', '!not-awaiting', '!not-awaiting', '!person-only'],
    denied: ['!maker-checker', '!maker-checker', '!not-awaiting', '!not-awaiting', '!not-awaiting', '!person-only'],
    delivered: ['!maker-checker', '!maker-checker', '!not-awaiting', '!not-awaiting', '!not-awaiting', '!person-only'],
  },
  deny: {
    draft: ['!maker-checker', '!maker-checker', '!not-awaiting', '!not-awaiting', '!not-awaiting', '!person-only'],
    awaiting_approval: ['!maker-checker', '!maker-checker', 'denied', 'denied', 'denied', '!person-only'],
    approved: ['!maker-checker', '!maker-checker', '!not-awaiting', '!not-awaiting', '!not-awaiting', '!person-only'],
    denied: ['!maker-checker', '!maker-checker', '!not-awaiting', '!not-awaiting', '!not-awaiting', '!person-only'],
    delivered: ['!maker-checker', '!maker-checker', '!not-awaiting', '!not-awaiting', '!not-awaiting', '!person-only'],
  },
  deliver: {
    draft: ['!not-approved', '!not-approved', '!not-approved', '!not-approved', '!not-approved', '!not-approved'],
    awaiting_approval: ['!not-approved', '!not-approved', '!not-approved', '!not-approved', '!not-approved', '!not-approved'],
    approved: ['delivered', 'delivered', 'delivered', 'delivered', 'delivered', 'delivered'],
    denied: ['!not-approved', '!not-approved', '!not-approved', '!not-approved', '!not-approved', '!not-approved'],
    delivered: ['delivered=', 'delivered=', 'delivered=', 'delivered=', 'delivered=', 'delivered='],
  },
  'mark-delivered': {
    draft: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!stale-version'],
    awaiting_approval: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!stale-version'],
    approved: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', 'delivered'],
    denied: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', '!stale-version'],
    delivered: ['!worker-only', '!worker-only', '!worker-only', '!worker-only', '!worker-only', 'delivered='],
  },
};

describe('tuition invoice lifecycle: every state × action × actor', () => {
  it('covers every action and state', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(ACTIONS).sort());
    for (const rows of Object.values(EXPECTED)) expect(Object.keys(rows).sort()).toEqual([...INVOICE_STATES].sort());
  });

  for (const type of Object.keys(ACTIONS) as InvoiceActionType[]) {
    it(type, () => {
      const got: Record<string, Row> = {};
      for (const state of INVOICE_STATES) {
        got[state] = ACTORS.map(([, actor]) => {
          const t = invoiceTransition(invoice(state), ACTIONS[type], actor);
          return t.ok ? `${t.to}${t.unchanged ? '=' : ''}` : `!${t.code}`;
        }) as Row;
      }
      expect(got).toEqual(EXPECTED[type]);
    });
  }
});

describe('tuition invoice lifecycle details', () => {
  const as = (u: User): InvoiceActor => ({ kind: 'person', user: u });
  const revise = ACTIONS.revise as Extract<InvoiceAction, { type: 'revise' }>;

  it('an edit after approval makes a new version and voids the approval; the same document changes nothing', () => {
    expect(invoiceTransition(invoice('approved'), ACTIONS.revise, as(alice))).toEqual({ ok: true, to: 'draft', unchanged: false, newVersion: true, voidsApproval: true, revokesLinks: true });
    expect(invoiceTransition(invoice('awaiting_approval'), ACTIONS.revise, as(alice))).toMatchObject({ newVersion: true, voidsApproval: false, revokesLinks: true });
    expect(invoiceTransition(invoice('approved'), { ...revise, hash: 'h2' }, as(alice))).toMatchObject({ ok: true, to: 'approved', unchanged: true, newVersion: false });
    expect(invoiceTransition(invoice('draft'), { ...revise, expectedVersion: 1 }, as(alice))).toMatchObject({ status: 409, code: 'stale-version' });
    expect(invoiceTransition(invoice('draft'), { ...revise, expectedVersion: undefined }, as(alice))).toMatchObject({ ok: true, to: 'draft' });
    expect(invoiceTransition(invoice('draft'), { ...revise, currency: 'EUR' }, as(alice))).toMatchObject({ status: 400, code: 'different-invoice' });
    expect(invoiceTransition(invoice('draft'), { ...revise, month: '2024-12' }, as(alice))).toMatchObject({ code: 'different-invoice' });
  });

  it('a denied invoice is corrected before it is sent again; the sentence gives the customer’s reason', () => {
    expect(invoiceTransition(invoice('denied'), ACTIONS['send-for-approval'], as(alice))).toMatchObject({ reason: expect.stringContaining('Dina left in October') });
  });

  it('the approver decides on the version she was shown; a denial needs a reason', () => {
    expect(invoiceTransition(invoice('awaiting_approval'), { type: 'approve', shownHash: 'h1' }, as(customer))).toMatchObject({ status: 409, code: 'changed' });
    expect(invoiceTransition(invoice('awaiting_approval'), { type: 'deny', shownHash: 'h2' }, as(customer))).toMatchObject({ status: 400, code: 'reason-missing' });
    expect(invoiceTransition(invoice('awaiting_approval'), { type: 'deny', shownHash: 'h2', reason: ' ' }, as(customer))).toMatchObject({ code: 'reason-missing' });
  });

  it('nobody who prepared any version approves it, whatever her roles or spelling', () => {
    for (const who of [user('Alice', ['approver']), user('ALICE', ['admin']), user('erin', ['approver', 'admin'])]) {
      expect([who.name, invoiceTransition(invoice('awaiting_approval'), ACTIONS.approve, as(who))]).toEqual([
        who.name,
        expect.objectContaining({ status: 403, code: 'maker-checker', reason: expect.stringContaining('invoice TU-2024-11-NORTHWIND-TRADERS-USD') }),
      ]);
    }
    const old = invoice('awaiting_approval', { preparers: [legacyPerson('Alice'), p(erin)] });
    expect(invoiceTransition(old, ACTIONS.approve, as(user('alice', ['approver'])))).toMatchObject({ code: 'maker-checker' });
  });

  it('the customer’s approver is who the link was configured for, not a name typed into the form', () => {
    expect(customerApprover('Northwind Traders', ' AP@Northwind.test ')).toEqual({
      id: 'urn:closedesk:tuition-approval-link#ap@northwind.test',
      name: 'AP@Northwind.test',
      roles: ['approver'],
    });
    expect(customerApprover('Northwind  Traders', '')).toEqual({ id: 'urn:closedesk:tuition-approval-link#customer:northwind traders', name: 'Northwind  Traders', roles: ['approver'] });
    expect(customerApprover('Northwind Traders', null).id).toBe(customerApprover('northwind traders').id);
  });

  it('delivery needs an approval of exactly the current version and document', () => {
    expect(invoiceApprovalStands(invoice('approved'))).toBe(true);
    expect(invoiceApprovalStands(invoice('delivered'))).toBe(true);
    expect(invoiceApprovalStands(invoice('approved', { hash: 'h3' }))).toBe(false);
    expect(invoiceApprovalStands(invoice('approved', { version: 3 }))).toBe(false);
    expect(invoiceApprovalStands(invoice('denied'))).toBe(false);
    expect(invoiceTransition(invoice('approved', { version: 3 }), ACTIONS.deliver, { kind: 'worker' })).toMatchObject({ code: 'not-approved', reason: expect.stringContaining('version 3') });
    expect(invoiceTransition(invoice('approved'), { type: 'mark-delivered', version: 1 }, { kind: 'worker' })).toMatchObject({ code: 'stale-version' });
    expect(invoiceTransition(invoice('approved'), ACTIONS.deliver, as(user('guest', [])))).toMatchObject({ status: 403, code: 'wrong-role' });
  });

  it('offers each person only the actions she may take now', () => {
    expect(allowedInvoiceActions(invoice('draft'), alice)).toEqual(['revise', 'send-for-approval']);
    expect(allowedInvoiceActions(invoice('approved'), alice)).toEqual(['revise', 'deliver']);
    expect(allowedInvoiceActions(invoice('approved'), bob)).toEqual(['deliver']);
    expect(allowedInvoiceActions(invoice('delivered'), root)).toEqual([]);
  });
});

describe('the customer’s approver is a mailbox, and the rule sees a preparer’s own mailbox as her', () => {
  const as = (u: User): InvoiceActor => ({ kind: 'person', user: u });
  // alice signed in with an address as her user name (as a work account's preferred_username is).
  const aliceMail: User = { ...alice, names: ['Alice.Smith@Contoso.example'] };
  const withMailbox = (state: InvoiceState) => invoice(state, { preparers: [{ ...p(alice), mailbox: mailboxOf(aliceMail) }, p(erin)] });

  it('a sign-in name that is an address is the mailbox; names that are not give none', () => {
    expect(mailboxOf(aliceMail)).toBe('alice.smith@contoso.example');
    expect(mailboxOf(alice)).toBeNull();
    expect(mailboxOf({ id: 'x', name: 'Pat <pat@contoso.test>' })).toBeNull();
  });

  it('sending needs a configured approver, and one who prepared no version', () => {
    const draft = withMailbox('draft');
    expect(invoiceTransition(draft, { type: 'send-for-approval', approver: null }, as(alice))).toMatchObject({ status: 409, code: 'no-approver', reason: expect.stringContaining('Settings → Delivery targets') });
    const herself = customerApprover('Northwind Traders', 'alice.smith@contoso.example');
    expect(invoiceTransition(draft, { type: 'send-for-approval', approver: herself }, as(alice))).toMatchObject({
      status: 403,
      code: 'maker-checker',
      reason: expect.stringContaining('(alice.smith@contoso.example) prepared a version of TU-2024-11-NORTHWIND-TRADERS-USD'),
    });
    // Sent by erin, it is refused all the same: alice prepared version 1.
    expect(invoiceTransition(draft, { type: 'send-for-approval', approver: herself }, as(erin))).toMatchObject({ code: 'maker-checker' });
    expect(invoiceTransition(draft, { type: 'send-for-approval', approver: customer }, as(alice))).toMatchObject({ ok: true, to: 'awaiting_approval' });
    expect(allowedInvoiceActions(draft, alice, herself)).toEqual(['revise']);
    expect(allowedInvoiceActions(draft, alice, null)).toEqual(['revise']);
    expect(allowedInvoiceActions(draft, alice, customer)).toEqual(['revise', 'send-for-approval']);
  });

  it('through the link, the holder of a preparer’s mailbox cannot approve: the approval rule decides by identity', () => {
    const herself = customerApprover('Northwind Traders', 'ALICE.SMITH@contoso.example');
    expect(invoiceTransition(withMailbox('awaiting_approval'), ACTIONS.approve, as(herself))).toMatchObject({ status: 403, code: 'maker-checker' });
    expect(invoiceTransition(withMailbox('awaiting_approval'), ACTIONS.approve, as(customer))).toMatchObject({ ok: true, to: 'approved' });
  });

  it('a screen names the address a link went to without showing it whole', () => {
    expect(maskAddress('jordan@contoso.example')).toBe('j***@contoso.example');
    expect(maskAddress(' AP@northwind.test ')).toBe('A***@northwind.test');
    expect(maskAddress('nobody')).toBe('***');
  });

  it('an edit of the lines keeps the invoice and sums its lines', () => {
    const inv = { number: 'TU-1', customer: 'Northwind Traders', month: '2024-11', currency: 'USD', partners: ['BrightPath'], lines: [], totalCents: 0 };
    expect(editedInvoice(inv, [{ user: 'erin', expenseType: 'TUITION', cents: 25_000 }, { user: 'erin', expenseType: 'MATERIALS', cents: -1_050, items: 2, references: ['BP:1'] }])).toEqual({
      ...inv,
      lines: [
        { user: 'erin', expenseType: 'TUITION', cents: 25_000, items: 1, references: [] },
        { user: 'erin', expenseType: 'MATERIALS', cents: -1_050, items: 2, references: ['BP:1'] },
      ],
      totalCents: 23_950,
    });
  });
});
