/** CLOSEDESK.FIFO and CLOSEDESK.BALANCE as Excel calls them: a 2-D range in, a spill or a value out. */
import { balance, fifo } from '../../functions/functions';
import { FunctionError } from '../../functions/adapt';
import { isoToExcelSerial } from '../../src/kernel/dates';

const range = [
  ['TRANS_ID', 'TYPE', 'CREATEDAT', 'CUSTOMERID', 'AMOUNT'],
  [4, 'spent', isoToExcelSerial('2024-03-04'), 77, -16.07],
  [3, 'earned', isoToExcelSerial('2024-03-03'), 77, 0.9],
  [2, 'earned', '2024-03-02', 77, 0.94],
  [1, 'earned', '2024-03-01', 77, 14.23],
  [5, 'earned', '2024-03-01', 78, 2],
];

test('FIFO spills the allocations with a header', () => {
  expect(fifo(range)).toEqual([
    ['REDEEM_TRANS_ID', 'EARNED_TRANS_ID', 'AMOUNT'],
    ['4', '1', 14.23],
    ['4', '2', 0.94],
    ['4', '3', 0.9],
  ]);
  expect(fifo(range, 'one-to-one')).toEqual([
    ['REDEEM_TRANS_ID', 'EARNED_TRANS_ID', 'AMOUNT'],
    ['4', '1', 14.23],
  ]);
  expect(fifo(range, null as unknown as string)).toHaveLength(4); // Excel passes null for an omitted argument
});

test('FIFO errors carry the problem and where it is', () => {
  expect(() => fifo(range, 'fast')).toThrow(FunctionError);
  const bad = [...range, [6, 'spent', '2024-03-05', 78, 3]];
  expect(() => fifo(bad)).toThrow(/positive.*transactions row 7/);
});

test('BALANCE now and as of a date', () => {
  expect(balance(range, 77)).toBe(0);
  expect(balance(range, '77', '2024-03-03')).toBe(16.07);
  expect(balance(range, 78, isoToExcelSerial('2024-02-01'))).toBe(0);
  expect(() => balance(range, 99)).toThrow(/99 has no transactions/);
  expect(() => balance(range, 77, 'soon')).toThrow(/asOf/);
});
