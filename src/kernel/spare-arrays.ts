/**
 * Typed arrays one pass is done with, handed to a later pass instead of new ones. Memory written for
 * the first time costs a page fault and zeroing per 4 KB (on a 10M-row run about a second per GB), so
 * a chain of passes over row-sized columns runs faster, and peaks lower, on a few buffers reused.
 *
 * Public API
 * - `SpareArrays`: `give(array)` once nothing else reads it; `f64(n, fill?)` / `i32(n, fill?)` → an array of
 *   exactly n elements (a view of a spare at least that long, else new), filled with `fill` when given —
 *   without `fill` its contents are whatever was there: for callers that write every element.
 */
export class SpareArrays {
  private readonly f64s: Float64Array[] = [];
  private readonly i32s: Int32Array[] = [];

  give(a: Float64Array | Int32Array): void {
    if (a.length === 0) return;
    if (a instanceof Float64Array) this.f64s.push(a);
    else this.i32s.push(a);
  }

  f64(n: number, fill?: number): Float64Array {
    const a = take(this.f64s, n);
    if (a) return fill === undefined ? a : a.fill(fill);
    return fill ? new Float64Array(n).fill(fill) : new Float64Array(n);
  }

  i32(n: number, fill?: number): Int32Array {
    const a = take(this.i32s, n);
    if (a) return fill === undefined ? a : a.fill(fill);
    return fill ? new Int32Array(n).fill(fill) : new Int32Array(n);
  }
}

/** The shortest spare that holds n elements, as a view of n (removed from the list); undefined if none. */
function take<T extends Float64Array | Int32Array>(list: T[], n: number): T | undefined {
  let best = -1;
  for (let i = 0; i < list.length; i++) if (list[i]!.length >= n && (best < 0 || list[i]!.length < list[best]!.length)) best = i;
  if (best < 0) return undefined;
  const a = list[best]!;
  list.splice(best, 1);
  return (a.length === n ? a : a.subarray(0, n)) as T;
}
