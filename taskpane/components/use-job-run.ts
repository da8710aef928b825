/**
 * The run hook every job page uses: progress, Cancel, the error sentence and the outcome from a
 * JobRunner, and the ribbon trigger: a ribbon button meant for this page (Run FIFO, Build VRET
 * sheets) starts the page's run once per press, as soon as the page is ready to run.
 *
 *   const run = useJobRun<FifoOutcome>('FIFO', async (ctx) => { …; return outcome; }, { ribbon: { page: 'fifo', action: 'run', ready } });
 *   <Button onClick={run.start} disabled={run.running}>Run</Button>
 *   <RunStatus run={run} errorTestId="fifo-error" />
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { claimRibbonCommand, type RibbonAction, type RibbonPage } from '../../commands/bus';
import { useShell } from '../shell';
import { JobRunner, type Job, type JobRunState } from './job-runner';

export interface RibbonTrigger {
  page: RibbonPage;
  action: RibbonAction;
  /** False while the page cannot run yet (e.g. the sheet list is still loading): the press waits. */
  ready?: boolean;
}

export interface JobRun<T> extends JobRunState<T> {
  /** Starts the page's run with what the page shows now. */
  start(): Promise<void>;
  cancel(): void;
  act<R>(action: () => Promise<R>): Promise<R | undefined>;
  setOutcome(value: T | null | ((current: T | null) => T | null)): void;
  setError(error: string | null): void;
}

export function useJobRun<T>(what: string, job: Job<T>, options: { ribbon?: RibbonTrigger } = {}): JobRun<T> {
  const shell = useShell();
  const [runner] = useState(() => new JobRunner<T>(what));
  const state = useSyncExternalStore(runner.subscribe, runner.getState, runner.getState);
  // The latest job closes over the page's latest choices; start() always runs that one.
  const latest = useRef(job);
  latest.current = job;
  const start = useCallback(() => runner.start((ctx) => latest.current(ctx)), [runner]);

  useEffect(() => runner.stop, [runner]);

  const ribbon = options.ribbon;
  const ready = ribbon?.ready !== false;
  useEffect(() => {
    if (!ribbon || !ready) return;
    // A press while the run is going is taken as that run.
    if (claimRibbonCommand(shell.ribbonCommand, ribbon.page, ribbon.action) && !runner.getState().running) void start();
  }, [shell.ribbonCommand, ribbon?.page, ribbon?.action, ready, runner, start]); // eslint-disable-line react-hooks/exhaustive-deps

  return { ...state, start, cancel: runner.cancel, act: runner.act, setOutcome: runner.setOutcome, setError: runner.setError };
}
