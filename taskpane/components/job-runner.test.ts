/** The run every job page uses, without a screen: progress, outcome, Cancel, error sentences, follow-up actions. */
import { PreviewWorkbook } from '../preview/preview-workbook';
import { JobRunner, type JobContext } from './job-runner';
import { CANCELLED_SENTENCE } from './errors';

const sheet = (name: string, rows: number) => ({ name, columns: [{ header: 'A', type: 'number' as const }], rows: Array.from({ length: rows }, (_, i) => [i]) });

test('a run shows progress, its outcome along the way, writes sheets with "Writing" progress, then idles', async () => {
  const runner = new JobRunner<{ n: number; note?: string }>('Test');
  const seen: string[] = [];
  runner.subscribe(() => {
    const s = runner.getState();
    seen.push(`${s.running ? 'running' : 'idle'}:${s.progress?.label ?? '-'}:${s.progress?.done ?? '-'}/${s.progress?.total ?? '-'}:${s.outcome?.n ?? '-'}`);
  });
  const wb = PreviewWorkbook.empty();
  await runner.start(async (ctx) => {
    ctx.progress('Reading');
    ctx.progress('Reading', 5, 10);
    ctx.outcome({ n: 1 });
    await ctx.writeSheets(wb, [sheet('Out', 3)]);
    ctx.outcome((o) => ({ ...o!, note: 'recorded' }));
  });
  expect(seen[0]).toBe('running:-:-/-:-');
  expect(seen).toContain('running:Reading:0/-:-');
  expect(seen).toContain('running:Reading:5/10:-');
  expect(seen).toContain('running:Writing Out:3/3:1');
  expect(runner.getState()).toEqual({ running: false, progress: null, cancelling: false, error: null, outcome: { n: 1, note: 'recorded' } });
  expect((await wb.readSheet('Out')).rows).toEqual([[0], [1], [2]]);
});

test('the returned value is the outcome; a second start while running is ignored', async () => {
  const runner = new JobRunner<number>('Test');
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let runs = 0;
  const job = async () => {
    runs++;
    await gate;
    return 42;
  };
  const first = runner.start(job);
  await runner.start(job);
  release();
  await first;
  expect(runs).toBe(1);
  expect(runner.getState().outcome).toBe(42);
});

test('Cancel aborts the signal the run passes on, and the run ends with the cancelled sentence', async () => {
  const runner = new JobRunner<number>('Test');
  let ctxSeen: JobContext<number> | undefined;
  const run = runner.start(
    (ctx) =>
      new Promise<number>((_, reject) => {
        ctxSeen = ctx;
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
      }),
  );
  expect(runner.getState().running).toBe(true);
  runner.cancel();
  expect(runner.getState().cancelling).toBe(true);
  await run;
  expect(ctxSeen!.signal.aborted).toBe(true);
  expect(runner.getState()).toMatchObject({ running: false, cancelling: false, error: CANCELLED_SENTENCE });
  // Progress from a run that ended changes nothing.
  ctxSeen!.progress('late', 1, 1);
  expect(runner.getState().progress).toBeNull();
});

test('an error is one sentence: the server’s or ours as it is, a library message replaced and logged', async () => {
  const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const runner = new JobRunner<number>('FIFO');
    await runner.start(async () => {
      throw new Error('The workbook has no sheet to read: load TC_Data from the Data page first.');
    });
    expect(runner.getState().error).toBe('The workbook has no sheet to read: load TC_Data from the Data page first.');
    await runner.start(async () => {
      throw new Error("Can't find end of central directory : is this a zip file ? If it is, see https://stuk.github.io/jszip/documentation/howto/read_zip.html");
    });
    expect(runner.getState().error).toBe("FIFO stopped on an unexpected error; the details are in the browser's console.");
    expect(errors).toHaveBeenCalledTimes(1);
    // A new run clears the last error.
    await runner.start(async () => 1);
    expect(runner.getState().error).toBeNull();
  } finally {
    errors.mockRestore();
  }
});

test('a follow-up action reports its failure in the same error bar and returns nothing', async () => {
  const runner = new JobRunner<number>('The chargeback build');
  expect(await runner.act(async () => 'prepared')).toBe('prepared');
  expect(await runner.act(async () => Promise.reject(new Error('Choose a partner for VISA first.')))).toBeUndefined();
  expect(runner.getState().error).toBe('Choose a partner for VISA first.');
  expect(await runner.act(async () => 'again')).toBe('again');
  expect(runner.getState().error).toBeNull();
});

test('stop() (the page went away) aborts what runs', async () => {
  const runner = new JobRunner<number>('Test');
  let signal: AbortSignal | undefined;
  const run = runner.start((ctx) => {
    signal = ctx.signal;
    return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
  });
  runner.stop();
  await run;
  expect(signal!.aborted).toBe(true);
});
