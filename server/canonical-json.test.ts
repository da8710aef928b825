import { canonicalJson } from './canonical-json';

test('keys are sorted at every level, undefined fields dropped, arrays keep order', () => {
  expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, e: null })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"e":null}');
  expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  expect(canonicalJson([undefined, 'a'])).toBe('[null,"a"]');
  expect(canonicalJson({ big: 12345678901234567890n, at: new Date(Date.UTC(2024, 0, 31)) })).toBe(
    '{"at":"2024-01-31T00:00:00.000Z","big":"12345678901234567890"}',
  );
});
