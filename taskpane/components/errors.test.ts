import { isPlainSentence } from './errors';

test.each([
  'The CloseDesk server could not be reached. Check that it is running, then try again.',
  'Choose a dataset on the server first.',
  'The workbook has no CM, ADJ, GLAP or THR sheet. Load them from the Data page first, or build from the server.',
  '"TC_Data" is not a sheet of this workbook.',
  'The server answered 500 Internal Server Error.',
])('shown as is: %s', (text) => expect(isPlainSentence(text)).toBe(true));

test.each([
  "Can't find end of central directory : is this a zip file ? If it is, see https://stuk.github.io/jszip/documentation/howto/read_zip.html",
  "Cannot read properties of undefined (reading 'rows')",
  'TypeError: x is not a function',
  'Failed to fetch',
  'AMOUNT: "%v" has 3 decimals; the currency allows 2.',
  'Unexpected token { in JSON at position 0.',
  'The value is NaN.',
  '',
  'x'.repeat(401) + '.',
])('replaced: %s', (text) => expect(isPlainSentence(text)).toBe(false));
