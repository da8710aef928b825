import { blocking, warning } from '../src/kernel/problems';
import type { Table } from '../src/kernel/table';
import {
  FunctionError,
  functionError,
  optionalArg,
  problemSentence,
  rangeTable,
  spill,
  spillVerb,
  valueOrError,
  type VerbOutput,
} from './adapt';

/** Excel's runtime class, reduced to what adapt.ts uses. */
class FakeRuntimeError {
  constructor(
    readonly code: string,
    readonly message?: string,
  ) {}
}
const fakeRuntime = { Error: FakeRuntimeError, ErrorCode: { invalidValue: '#VALUE!', notAvailable: '#N/A' } };

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('functionError', () => {
  afterEach(() => {
    delete (globalThis as { CustomFunctions?: unknown }).CustomFunctions;
  });

  it('uses Excel’s CustomFunctions.Error when the runtime is there', () => {
    (globalThis as { CustomFunctions?: unknown }).CustomFunctions = fakeRuntime;
    const e = functionError('The order id is empty.');
    expect(e).toBeInstanceOf(FakeRuntimeError);
    expect(e).toMatchObject({ code: '#VALUE!', message: 'The order id is empty.' });
    expect(functionError('No answer.', 'notAvailable')).toMatchObject({ code: '#N/A' });
  });

  it('falls back to a FunctionError with the same code outside Excel', () => {
    const e = functionError('The order id is empty.');
    expect(e).toBeInstanceOf(FunctionError);
    expect(e).toMatchObject({ code: '#VALUE!', message: 'The order id is empty.' });
  });
});

describe('problemSentence', () => {
  it('gives the first blocking problem with its place and counts the rest', () => {
    const problems = [
      warning({ source: 'transactions', row: 3, message: 'Only a warning.' }),
      blocking({ source: 'transactions', row: 7, column: 'AMOUNT', value: '12,34,5', message: 'The amount 12,34,5 is not a number.' }),
      blocking({ source: 'transactions', row: 9, message: 'Second.' }),
      blocking({ source: 'transactions', message: 'Third.' }),
    ];
    expect(problemSentence(problems)).toBe(
      'The amount 12,34,5 is not a number. (transactions row 7, column AMOUNT) 2 more problems follow.',
    );
    expect(problemSentence(problems.slice(2, 4))).toBe('Second. (transactions row 9) 1 more problem follows.');
    expect(problemSentence([blocking({ source: 't', message: 'Whole table.' })])).toBe('Whole table.');
    expect(problemSentence([warning({ source: 't', message: 'w' })])).toBeNull();
  });
});

describe('spill', () => {
  const ok: VerbOutput = {
    header: ['CUSTOMER', 'AMOUNT', 'DATE'],
    rows: [
      ['C1', 12.5, new Date(Date.UTC(2026, 0, 31))],
      ['C2', null],
      ['C3', Number.NaN, new Date(Date.UTC(2026, 0, 31, 13, 5))],
    ],
    problems: [warning({ source: 'transactions', row: 2, message: 'A warning does not stop the result.' })],
  };

  it('returns header plus rows, rectangular, with Excel-safe cells', () => {
    expect(spill(ok)).toEqual([
      ['CUSTOMER', 'AMOUNT', 'DATE'],
      ['C1', 12.5, '2026-01-31'],
      ['C2', '', ''],
      ['C3', '', '2026-01-31T13:05:00.000Z'],
    ]);
  });

  it('throws #VALUE! with the first blocking problem instead of a partial result', () => {
    const e = thrown(() =>
      spill({ ...ok, problems: [blocking({ source: 'transactions', row: 4, column: 'TCTYPE', message: 'The type X is unknown.' })] }),
    );
    expect(e).toBeInstanceOf(FunctionError);
    expect(e).toMatchObject({ code: '#VALUE!', message: 'The type X is unknown. (transactions row 4, column TCTYPE)' });
  });
});

describe('spillVerb and rangeTable', () => {
  it('hands the verb a kernel table named after the argument, with sheet-like row numbers', () => {
    let seen: Table | null = null;
    const out = spillVerb(
      'transactions',
      [
        ['Customer', 'Amount'],
        ['C1', 5],
        ['', ''],
      ],
      (t) => {
        seen = t;
        return { header: ['CUSTOMER', 'TWICE'], rows: t.rows.map((r) => [r[0]!, Number(r[1]) * 2]), problems: [] };
      },
    );
    expect(seen).toMatchObject({ name: 'transactions', header: ['Customer', 'Amount'], rows: [['C1', 5]], firstRowNumber: 2 });
    expect(out).toEqual([
      ['CUSTOMER', 'TWICE'],
      ['C1', 10],
    ]);
  });

  it('refuses a scalar or an empty range with a sentence', () => {
    expect(thrown(() => rangeTable('transactions', 5))).toMatchObject({ message: 'transactions must be a range with a header row.' });
    expect(thrown(() => rangeTable('transactions', [[]]))).toMatchObject({ message: 'transactions is empty.' });
  });
});

describe('optionalArg and valueOrError', () => {
  it('treats null, undefined and an empty cell as omitted', () => {
    expect(optionalArg(null, 'fifo')).toBe('fifo');
    expect(optionalArg(undefined, 'fifo')).toBe('fifo');
    expect(optionalArg('', 'fifo')).toBe('fifo');
    expect(optionalArg('lifo', 'fifo')).toBe('lifo');
    expect(optionalArg(0, 7)).toBe(0);
  });

  it('unwraps ok results and throws the reason otherwise', () => {
    expect(valueOrError({ ok: true, value: 42 })).toBe(42);
    expect(thrown(() => valueOrError({ ok: false, reason: 'Not a number.' }))).toMatchObject({ code: '#VALUE!', message: 'Not a number.' });
  });
});
