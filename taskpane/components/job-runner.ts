/**
 * One job run of a page, kept apart from React so it is tested in node: what is happening (progress),
 * Cancel through one AbortSignal that every read, fetch and write of the run receives, the error in
 * one sentence, and the outcome. `useJobRun` puts a runner on a page; follow-up actions of the same
 * page (prepare a batch, send a file) report through `act`, so a page has one error bar.
 */
import type { WorkbookPort } from '../../src/workbook/port';
import type { SheetSpec } from '../../src/workbook/sheet-spec';
import { writeSheets } from '../../src/workbook/write-sheets';
import { errorSentence, runErrorMessage } from './errors';

export interface RunProgressState {
  /** What is happening, e.g. "Reading TC_Data". */
  label: string;
  done: number;
  /** Unknown totals show a moving bar. */
  total?: number;
}

export interface JobRunState<T> {
  running: boolean;
  progress: RunProgressState | null;
  /** Cancel was pressed and the run is winding down. */
  cancelling: boolean;
  error: string | null;
  outcome: T | null;
}

export interface JobContext<T> {
  /** Aborted by Cancel (and when the page goes away): pass it to every fetch and write. */
  signal: AbortSignal;
  progress(label: string, done?: number, total?: number): void;
  /** Shows the outcome so far, e.g. the figures before the sheets are written. */
  outcome(value: T | ((current: T | null) => T)): void;
  /** Writes result sheets with "Writing <sheet>" progress; Cancel stops between chunks. */
  writeSheets(port: WorkbookPort, sheets: readonly SheetSpec[]): Promise<void>;
}

/** A run: returns the outcome (or sets it along the way through the context). */
export type Job<T> = (ctx: JobContext<T>) => Promise<T | void>;

const IDLE: JobRunState<never> = { running: false, progress: null, cancelling: false, error: null, outcome: null };

export class JobRunner<T> {
  private state: JobRunState<T> = IDLE;
  private controller: AbortController | null = null;
  private readonly listeners = new Set<() => void>();

  /** `what` names the job in the sentence for an error that has none of its own ("FIFO stopped on…"). */
  constructor(private readonly what: string) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  readonly getState = (): JobRunState<T> => this.state;

  private set(patch: Partial<JobRunState<T>>): void {
    this.state = { ...this.state, ...patch };
    for (const l of [...this.listeners]) l();
  }

  /** Starts a run unless one is going; resolves when it ended (done, failed or cancelled). */
  readonly start = async (job: Job<T>): Promise<void> => {
    if (this.state.running) return;
    const controller = new AbortController();
    this.controller = controller;
    const live = () => this.controller === controller;
    this.set({ running: true, progress: null, cancelling: false, error: null, outcome: null });
    const ctx: JobContext<T> = {
      signal: controller.signal,
      progress: (label, done = 0, total) => live() && this.set({ progress: { label, done, total } }),
      outcome: (value) => {
        if (!live()) return;
        const next = typeof value === 'function' ? (value as (current: T | null) => T)(this.state.outcome) : value;
        this.set({ outcome: next });
      },
      writeSheets: (port, sheets) =>
        writeSheets(port, sheets, {
          signal: controller.signal,
          onProgress: (done, total, sheet) => ctx.progress(`Writing ${sheet}`, done, total),
        }),
    };
    try {
      const result = await job(ctx);
      if (result !== undefined && live()) this.set({ outcome: result });
    } catch (e) {
      if (live()) this.set({ error: runErrorMessage(e, this.what) });
    } finally {
      if (live()) {
        this.controller = null;
        this.set({ running: false, progress: null, cancelling: false });
      }
    }
  };

  /** Cancel: the run's signal aborts; the run ends at its next check with the cancelled sentence. */
  readonly cancel = (): void => {
    if (!this.controller || this.state.cancelling) return;
    this.set({ cancelling: true });
    this.controller.abort();
  };

  /** A follow-up action of the page (prepare, send, store): its error shows where the run's would. */
  readonly act = async <R>(action: () => Promise<R>): Promise<R | undefined> => {
    this.set({ error: null });
    try {
      return await action();
    } catch (e) {
      this.set({ error: errorSentence(e, `${this.what} could not finish that step; the details are in the browser's console.`) });
      return undefined;
    }
  };

  readonly setOutcome = (value: T | null | ((current: T | null) => T | null)): void => {
    this.set({ outcome: typeof value === 'function' ? (value as (current: T | null) => T | null)(this.state.outcome) : value });
  };

  readonly setError = (error: string | null): void => this.set({ error });

  /** The page went away: stop what runs, so nothing keeps loading in the background. */
  readonly stop = (): void => {
    this.controller?.abort();
  };
}
