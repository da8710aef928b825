/** Progress of a long piece of work, with a Cancel button that really stops it. */
import { Button, Field, ProgressBar, makeStyles, tokens } from '@fluentui/react-components';
import { DismissCircle20Regular } from '@fluentui/react-icons';

const useStyles = makeStyles({
  root: { display: 'flex', alignItems: 'flex-end', gap: tokens.spacingHorizontalS },
  field: { flexGrow: 1, minWidth: 0 },
});

export interface RunProgressProps {
  /** What is happening, e.g. "Reading rows from the server". */
  label: string;
  done: number;
  /** Unknown totals show an indeterminate bar. */
  total?: number;
  onCancel?: () => void;
  /** True once Cancel was pressed and the work is winding down. */
  cancelling?: boolean;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function RunProgress({ label, done, total, onCancel, cancelling }: RunProgressProps) {
  const styles = useStyles();
  const known = total !== undefined && total > 0;
  const hint = cancelling ? 'Cancelling…' : known ? `${formatCount(done)} of ${formatCount(total)} rows` : `${formatCount(done)} rows`;
  return (
    <div className={styles.root} data-testid="run-progress">
      <Field className={styles.field} label={label} hint={hint} validationState="none">
        <ProgressBar value={known ? Math.min(1, done / total) : undefined} thickness="large" />
      </Field>
      {onCancel && (
        <Button icon={<DismissCircle20Regular />} onClick={onCancel} disabled={cancelling}>
          Cancel
        </Button>
      )}
    </div>
  );
}
