/**
 * What a job page shows while it runs and when it failed: the progress bar with Cancel, then the
 * error sentence. One place, so every page cancels and reports the same way.
 */
import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import { isAbortError } from '../api';
import { RunProgress } from './run-progress';

export interface RunStatusProps {
  progress: { label: string; done: number; total?: number } | null;
  cancelling: boolean;
  onCancel: () => void;
  error: string | null;
  /** data-testid of the error bar, e.g. "fifo-error". */
  errorTestId: string;
}

export function RunStatus({ progress, cancelling, onCancel, error, errorTestId }: RunStatusProps) {
  return (
    <>
      {progress && <RunProgress label={progress.label} done={progress.done} total={progress.total} onCancel={onCancel} cancelling={cancelling} />}
      {error && (
        <MessageBar intent="error" data-testid={errorTestId}>
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}

/** The sentence for a job that stopped: a cancel keeps what was written, anything else says why. */
export function runErrorMessage(e: unknown): string {
  return isAbortError(e) ? 'Cancelled: the sheets written so far stay in the workbook.' : (e as Error).message;
}
