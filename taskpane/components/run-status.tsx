/**
 * What a job page shows while it runs and when it stopped: the progress bar with Cancel, then the
 * error sentence. One place, so every page reports and cancels the same way.
 */
import { Button, Field, MessageBar, MessageBarBody, ProgressBar, makeStyles, tokens } from '@fluentui/react-components';
import { DismissCircle20Regular } from '@fluentui/react-icons';
import { formatCount } from '../../src/kernel/counts';
import { CountBar } from './count-bar';
import type { JobRunState } from './job-runner';

const useStyles = makeStyles({
  progress: { display: 'flex', alignItems: 'flex-end', gap: tokens.spacingHorizontalS, minWidth: 0 },
  field: { flexGrow: 1, minWidth: 0 },
  // File names and run ids are long unbroken words: they wrap inside the pane.
  text: { overflowWrap: 'anywhere', minWidth: 0 },
});

export interface RunStatusProps {
  run: Pick<JobRunState<unknown>, 'running' | 'progress' | 'cancelling' | 'error'> & { cancel(): void };
  /** data-testid of the error bar, e.g. "fifo-error". */
  errorTestId: string;
}

export function RunStatus({ run, errorTestId }: RunStatusProps) {
  const styles = useStyles();
  const p = run.progress;
  const known = p?.total !== undefined && p.total > 0;
  const hint = run.cancelling ? 'Cancelling…' : !p ? '' : known ? `${formatCount(p.done)} of ${formatCount(p.total!)} rows` : p.done > 0 ? `${formatCount(p.done)} rows` : '';
  return (
    <>
      {run.running && (
        <div className={styles.progress} data-testid="run-progress">
          <Field className={styles.field} label={{ children: p?.label ?? 'Working…', className: styles.text }} hint={hint} validationState="none">
            {known ? <CountBar done={p!.done} total={p!.total!} thickness="large" /> : <ProgressBar thickness="large" />}
          </Field>
          <Button icon={<DismissCircle20Regular />} onClick={run.cancel} disabled={run.cancelling}>
            Cancel
          </Button>
        </div>
      )}
      {run.error && (
        <MessageBar intent="error" layout="multiline" data-testid={errorTestId}>
          <MessageBarBody className={styles.text}>{run.error}</MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}
