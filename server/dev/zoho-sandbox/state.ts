/**
 * The sandbox's books: organisations and their contacts, items, accounts, invoices, payments and
 * journals, kept in memory (and in a JSON file when the sandbox has a data folder). Money is kept
 * in cents; ids are 18-digit strings, as Zoho's are beyond 2^53.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Organization {
  organization_id: string;
  name: string;
  currency_code: string;
  plan: 'free' | 'standard' | 'professional' | 'premium';
}

export interface Contact {
  contact_id: string;
  contact_name: string;
  contact_type: string;
  currency_code: string;
}

export interface Item {
  item_id: string;
  name: string;
  rate: number;
  sku?: string;
  account_id?: string;
}

export interface Account {
  account_id: string;
  account_name: string;
  account_type: string;
  account_code?: string;
}

export interface InvoiceLine {
  line_item_id: string;
  item_id: string;
  name: string;
  description: string;
  rate: number;
  quantity: number;
  item_total: number;
}

export interface Invoice {
  invoice_id: string;
  invoice_number: string;
  customer_id: string;
  customer_name: string;
  date: string;
  reference_number: string;
  status: 'draft' | 'sent' | 'partially_paid' | 'paid' | 'void';
  currency_code: string;
  totalCents: number;
  balanceCents: number;
  line_items: InvoiceLine[];
  notes: string;
  created_time: string;
}

export interface Payment {
  payment_id: string;
  payment_number: string;
  customer_id: string;
  customer_name: string;
  payment_mode: string;
  date: string;
  reference_number: string;
  description: string;
  account_id: string;
  amountCents: number;
  unusedCents: number;
  invoices: { invoice_id: string; invoice_number: string; appliedCents: number }[];
  created_time: string;
}

export interface JournalLine {
  line_id: string;
  account_id: string;
  account_name: string;
  debit_or_credit: 'debit' | 'credit';
  amountCents: number;
  description: string;
}

export interface Journal {
  journal_id: string;
  entry_number: string;
  journal_date: string;
  reference_number: string;
  notes: string;
  status: 'draft' | 'published';
  totalCents: number;
  line_items: JournalLine[];
  created_time: string;
}

export interface OrgBooks {
  org: Organization;
  contacts: Contact[];
  items: Item[];
  accounts: Account[];
  invoices: Invoice[];
  payments: Payment[];
  journals: Journal[];
}

export interface SandboxData {
  nextId: number;
  refreshTokens?: Record<string, { clientId: string; clientSecret: string; revoked: boolean; minted: number[] }>;
  books: OrgBooks[];
}

/** The ids the seeded demo organisation starts with, so tests and the demo can build documents. */
export interface SeedIds {
  organizationId: string;
  customerId: string;
  itemIds: { sales: string; shipping: string; tax: string };
  accountIds: { clearing: string; fees: string; reserve: string; sales: string; bank: string };
}

const ID_BASE = 460000000000000000n;

export class SandboxState {
  data: SandboxData;
  private readonly file?: string;
  private saveTimer: NodeJS.Timeout | null = null;
  /** Fast look-ups (rebuilt from data on load). */
  private readonly invoiceByNumber = new Map<string, Invoice>();
  private readonly invoiceById = new Map<string, Invoice>();

  constructor(opts: { dataDir?: string } = {}) {
    this.file = opts.dataDir ? path.join(opts.dataDir, 'zoho-sandbox.json') : undefined;
    if (this.file && fs.existsSync(this.file)) {
      this.data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as SandboxData;
    } else {
      this.data = { nextId: 1, books: [] };
      this.seedOrganization('CloseDesk Demo Books', 'USD', 'premium');
    }
    this.reindex();
  }

  newId(): string {
    return (ID_BASE + BigInt(this.data.nextId++)).toString();
  }

  private reindex(): void {
    this.invoiceByNumber.clear();
    this.invoiceById.clear();
    for (const b of this.data.books) {
      for (const inv of b.invoices) {
        this.invoiceByNumber.set(`${b.org.organization_id}:${inv.invoice_number}`, inv);
        this.invoiceById.set(`${b.org.organization_id}:${inv.invoice_id}`, inv);
      }
    }
  }

  /**
   * A demo organisation whose chart of accounts, items (by SKU and charge name) and customers
   * carry the names the settlement demo configuration uses, so ids can be mapped from its lists.
   */
  seedOrganization(name: string, currency: string, plan: Organization['plan']): OrgBooks {
    const id = () => this.newId();
    const account = (account_name: string, account_type: string, account_code: string): Account => ({ account_id: id(), account_name, account_type, account_code });
    const books: OrgBooks = {
      org: { organization_id: id(), name, currency_code: currency, plan },
      contacts: ['Amazon.com', 'Amazon.de'].map((n) => ({ contact_id: id(), contact_name: n, contact_type: 'customer', currency_code: currency })),
      accounts: [
        account('Amazon Clearing', 'bank', '1050'),
        account('Amazon Selling Fees', 'expense', '6100'),
        account('Amazon Reserve', 'other_current_asset', '1060'),
        account('Amazon Sales', 'income', '4000'),
        account('Bank', 'bank', '1000'),
        account('Shipping Income', 'income', '4010'),
        account('Gift Wrap Income', 'income', '4020'),
        account('Sales Tax Payable', 'other_current_liability', '2200'),
        account('Amazon Refunds', 'income', '4090'),
        account('Promotional Rebates', 'income', '4095'),
        account('FBA Fees', 'expense', '6110'),
        account('Advertising', 'expense', '6200'),
        account('Amazon Reimbursements', 'other_income', '4500'),
        account('Tax on Amazon Fees', 'other_current_asset', '1070'),
      ],
      items: [],
      invoices: [],
      payments: [],
      journals: [],
    };
    const sales = books.accounts[3].account_id;
    const item = (n: string, sku?: string): Item => ({ item_id: id(), name: n, rate: 0, ...(sku ? { sku } : {}), account_id: sales });
    books.items = [
      item('Amazon Sales', 'AMZ-SALES'),
      item('Shipping'),
      item('Sales Tax'),
      item('Shipping Tax'),
      item('Gift Wrap'),
      item('Gift Wrap Tax'),
      item('Red mug', 'SKU-RED-MUG'),
      item('Blue mug', 'SKU-BLUE-MUG'),
      item('Teapot', 'SKU-TEAPOT'),
      item('Coasters', 'SKU-COASTERS'),
    ];
    this.data.books.push(books);
    this.changed();
    return books;
  }

  seedIds(orgIndex = 0): SeedIds {
    const b = this.data.books[orgIndex];
    const acc = (n: string) => b.accounts.find((a) => a.account_name === n)!.account_id;
    const itm = (n: string) => b.items.find((i) => i.name === n)!.item_id;
    return {
      organizationId: b.org.organization_id,
      customerId: b.contacts[0].contact_id,
      itemIds: { sales: itm('Amazon Sales'), shipping: itm('Shipping'), tax: itm('Sales Tax') },
      accountIds: { clearing: acc('Amazon Clearing'), fees: acc('Amazon Selling Fees'), reserve: acc('Amazon Reserve'), sales: acc('Amazon Sales'), bank: acc('Bank') },
    };
  }

  books(organizationId: string): OrgBooks | undefined {
    return this.data.books.find((b) => b.org.organization_id === organizationId);
  }

  invoiceByNo(orgId: string, number: string): Invoice | undefined {
    return this.invoiceByNumber.get(`${orgId}:${number}`);
  }

  invoice(orgId: string, id: string): Invoice | undefined {
    return this.invoiceById.get(`${orgId}:${id}`);
  }

  addInvoice(b: OrgBooks, inv: Invoice): void {
    b.invoices.push(inv);
    this.invoiceByNumber.set(`${b.org.organization_id}:${inv.invoice_number}`, inv);
    this.invoiceById.set(`${b.org.organization_id}:${inv.invoice_id}`, inv);
    this.changed();
  }

  /** Schedules a write of the JSON file (coalesced; flush() writes now). */
  changed(): void {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 500);
    this.saveTimer.unref();
  }

  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (!this.file) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.data));
    fs.renameSync(tmp, this.file);
  }
}

/** Cents → the decimal Zoho shows (2 minor digits: the sandbox's organisations use USD/EUR/GBP). */
export function money(cents: number): number {
  return cents / 100;
}

/** A decimal amount from a request → cents, or undefined when it has more than 2 decimals. */
export function toCents(amount: number): number | undefined {
  const c = Math.round(amount * 100);
  return Math.abs(c - amount * 100) < 1e-6 ? c : undefined;
}
