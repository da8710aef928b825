/**
 * A determinate progress bar that shows exactly the count written beside it. Fluent eases the bar's
 * width over 0.3 s on every change, so between polls (and in a screenshot) the bar trailed the count
 * ("37 of 42 posted" over a bar far shorter): here the width follows at once, from the same numbers.
 */
import { ProgressBar, makeStyles, type ProgressBarProps } from '@fluentui/react-components';

const useStyles = makeStyles({
  bar: { transitionProperty: 'none' },
});

export function CountBar({ done, total, ...rest }: { done: number; total: number } & Pick<ProgressBarProps, 'thickness'> & { 'data-testid'?: string }) {
  const styles = useStyles();
  return <ProgressBar {...rest} value={total > 0 ? Math.min(1, done / total) : 0} bar={{ className: styles.bar }} />;
}
