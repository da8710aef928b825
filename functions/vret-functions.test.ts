import { FunctionError } from './adapt';
import { creditAccountFunction, journalCheckFunction, rvrAmountFunction } from './functions';

describe('VRET custom functions', () => {
  it('RVRAMOUNT is the smaller of amount and a positive refund, exact to the cent', () => {
    expect(rvrAmountFunction(100, 30)).toBe(30);
    expect(rvrAmountFunction('100.10', 250)).toBe(100.1);
    expect(rvrAmountFunction(0.1 + 0.2, 0.3)).toBe(0.3);
    expect(rvrAmountFunction(100, 0)).toBe(0);
    expect(rvrAmountFunction(100, -5)).toBe(0);
    expect(() => rvrAmountFunction('ten', 1)).toThrow(FunctionError);
  });

  it('CREDITACCOUNT follows the product lines', () => {
    expect(creditAccountFunction(1810)).toBe('48550');
    expect(creditAccountFunction('2530')).toBe('48550');
    expect(creditAccountFunction('4000')).toBe('52910');
    expect(() => creditAccountFunction('')).toThrow('productLine is empty.');
  });

  it('JOURNALCHECK says balanced or gives the difference', () => {
    expect(journalCheckFunction([['Debit', 'Credit'], [100, ''], ['', 70], ['', 30]])).toBe('balanced');
    expect(journalCheckFunction([['Debit', 'Credit'], [100, ''], ['', 70.01]])).toBe(29.99);
    expect(journalCheckFunction([['Currency', 'Debit', 'Credit'], ['EUR', 5, ''], ['USD', '', 2], ['USD', 2, '']])).toBe('EUR 5.00');
    expect(() => journalCheckFunction([['Debit', 'Credit'], ['x', 1]])).toThrow(/Debit|not a number/);
  });
});
