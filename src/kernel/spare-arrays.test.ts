import { SpareArrays } from './spare-arrays';

describe('SpareArrays', () => {
  test('a spare comes back as a view of the length asked for, the shortest that fits, each only once', () => {
    const spares = new SpareArrays();
    const long = new Float64Array(100).fill(7);
    const short = new Float64Array(20).fill(3);
    spares.give(long);
    spares.give(short);
    const a = spares.f64(10);
    expect(a.length).toBe(10);
    expect(a.buffer).toBe(short.buffer); // the shortest that holds 10
    expect(a[0]).toBe(3); // no fill asked: the old contents
    const b = spares.f64(50, 0);
    expect(b.buffer).toBe(long.buffer);
    expect(Array.from(b).every((x) => x === 0)).toBe(true);
    const c = spares.f64(5); // none left: new
    expect(c.buffer).not.toBe(short.buffer);
    expect(c.buffer).not.toBe(long.buffer);
  });

  test('Int32 and Float64 spares are kept apart; too short ones are not taken; new arrays are filled as asked', () => {
    const spares = new SpareArrays();
    const ints = new Int32Array(8);
    spares.give(ints);
    spares.give(new Float64Array(0));
    expect(spares.f64(4).buffer).not.toBe(ints.buffer);
    expect(spares.i32(9, -1).buffer).not.toBe(ints.buffer);
    expect(Array.from(spares.i32(3, -1))).toEqual([-1, -1, -1]);
    expect(Array.from(spares.i32(2, -1))).toEqual([-1, -1]);
    expect(Array.from(spares.f64(2, 5))).toEqual([5, 5]);
  });
});
