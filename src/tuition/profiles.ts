/**
 * Partner layout profiles (docs/rules.md, "Tuition billing"): each education partner names its columns, writes its
 * dates and words its expense types its own way. A profile maps one partner's file to the normal
 * form (partner, customer, customer user, expense type, amount, currency, date, partner reference).
 * Profiles are configuration: the defaults below cover the demo partners; callers pass their own.
 */
export const EXPENSE_TYPES = ['TUITION', 'MATERIALS', 'TUTORING'] as const;
export type ExpenseType = (typeof EXPENSE_TYPES)[number];

export interface ProfileColumns {
  /** Accepted headers for each field, first = the name shown in problems. */
  reference: string[];
  customer: string[];
  user: string[];
  expenseType: string[];
  amount: string[];
  date: string[];
  /** Optional when the profile has a defaultCurrency. */
  currency?: string[];
  /** Optional column marking a line as a credit (refund); its values are matched against creditMarks. */
  credit?: string[];
}

export interface PartnerProfile {
  /** Partner name as it appears on invoices and in problems. */
  partner: string;
  columns: ProfileColumns;
  /** How slash dates read: 11/05/2024 is 5 November with 'mdy'. */
  slash?: 'mdy' | 'dmy';
  /** Decimal separator of text amounts. */
  decimal?: '.' | ',';
  /** Used when the file has no currency column. */
  defaultCurrency?: string;
  /** The partner's expense words (case-insensitive) → normal form. */
  expenseWords: Record<string, ExpenseType>;
  /** Words that mean a credit of that type (e.g. "Tuition refund"); a credit line may be negative. */
  creditWords?: Record<string, ExpenseType>;
  /** Values of the credit column meaning "this line is a credit" (case-insensitive). */
  creditMarks?: string[];
}

const CREDIT_MARKS = ['Y', 'YES', 'TRUE', '1', 'CREDIT', 'CR', 'REFUND'];

export const DEFAULT_PROFILES: readonly PartnerProfile[] = [
  {
    partner: 'BrightPath',
    columns: {
      reference: ['Invoice Ref'],
      customer: ['Employer'],
      user: ['Employee Email'],
      expenseType: ['Charge Type'],
      amount: ['Charge Amount'],
      currency: ['Currency'],
      date: ['Service Date'],
      credit: ['Credit'],
    },
    slash: 'mdy',
    expenseWords: { Tuition: 'TUITION', 'Books & materials': 'MATERIALS', Books: 'MATERIALS', Tutoring: 'TUTORING' },
    creditWords: { 'Tuition refund': 'TUITION', 'Books refund': 'MATERIALS', 'Tutoring refund': 'TUTORING' },
    creditMarks: CREDIT_MARKS,
  },
  {
    partner: 'LearnWell',
    columns: {
      reference: ['Reference'],
      customer: ['Company'],
      user: ['Learner'],
      expenseType: ['Expense Type'],
      amount: ['Amount'],
      currency: ['Currency'],
      date: ['Date'],
      credit: ['Credit'],
    },
    slash: 'mdy',
    expenseWords: { TUITION: 'TUITION', MATERIALS: 'MATERIALS', TUTORING: 'TUTORING' },
    creditWords: { CREDIT_TUITION: 'TUITION', CREDIT_MATERIALS: 'MATERIALS', CREDIT_TUTORING: 'TUTORING' },
    creditMarks: CREDIT_MARKS,
  },
];

/** Fields that must be present in a partner file for a profile to apply. */
export function requiredColumns(p: PartnerProfile): { field: keyof ProfileColumns; names: string[] }[] {
  const fields: (keyof ProfileColumns)[] = ['reference', 'customer', 'user', 'expenseType', 'amount', 'date'];
  if (!p.defaultCurrency) fields.push('currency');
  return fields.map((field) => ({ field, names: p.columns[field] ?? [] }));
}
