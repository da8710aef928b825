/** The polling loop: reads until told to stop, waits the delay it is given, and leaves nothing behind when stopped. */
import { startPolling } from './use-polling';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

/** Lets the awaited reads settle between timer steps. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

test('reads again after the delay each read gives, and stops when a read says so', async () => {
  const delays = [700, 3000, null];
  const reads: number[] = [];
  startPolling(async () => {
    reads.push(Date.now());
    return delays[reads.length - 1]!;
  }, () => undefined);
  await settle();
  expect(reads).toHaveLength(1);
  jest.advanceTimersByTime(699);
  await settle();
  expect(reads).toHaveLength(1);
  jest.advanceTimersByTime(1);
  await settle();
  expect(reads).toHaveLength(2);
  jest.advanceTimersByTime(3000);
  await settle();
  expect(reads).toHaveLength(3);
  jest.advanceTimersByTime(60_000);
  await settle();
  expect(reads).toHaveLength(3);
  expect(jest.getTimerCount()).toBe(0);
});

test('stopping aborts the read in flight, ignores its answer and schedules nothing', async () => {
  let signal: AbortSignal | undefined;
  let answer: (d: number) => void = () => undefined;
  const errors: unknown[] = [];
  let reads = 0;
  const stop = startPolling(
    (s) => {
      reads++;
      signal = s;
      return new Promise<number>((resolve) => (answer = resolve));
    },
    (e) => errors.push(e),
  );
  await settle();
  stop();
  expect(signal!.aborted).toBe(true);
  answer(500);
  await settle();
  jest.advanceTimersByTime(10_000);
  await settle();
  expect(reads).toBe(1);
  expect(jest.getTimerCount()).toBe(0);
  expect(errors).toEqual([]);
});

test('a failed read stops the loop and is reported once; after a stop it is not reported', async () => {
  const errors: unknown[] = [];
  let reads = 0;
  startPolling(async () => {
    reads++;
    throw new Error('The server answered 502 Bad Gateway.');
  }, (e) => errors.push((e as Error).message));
  await settle();
  jest.advanceTimersByTime(10_000);
  await settle();
  expect(reads).toBe(1);
  expect(errors).toEqual(['The server answered 502 Bad Gateway.']);

  const late: unknown[] = [];
  let fail: (e: Error) => void = () => undefined;
  const stop = startPolling(() => new Promise<number>((_, reject) => (fail = reject)), (e) => late.push(e));
  await settle();
  stop();
  fail(new Error('aborted'));
  await settle();
  expect(late).toEqual([]);
});
