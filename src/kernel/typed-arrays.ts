/**
 * Typed arrays grown by the readers and tables that keep their values in them.
 *
 * Public API
 * - `resized(a, n)`: a copy of `a` with room for n values (the first ones kept).
 */
export function resized<T extends Int32Array | Uint8Array | Float64Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a.length > n ? a.subarray(0, n) : a);
  return b;
}
