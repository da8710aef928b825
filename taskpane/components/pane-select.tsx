/**
 * Controls sized for a task pane 320–450 px wide. A native select is as wide as its longest option
 * ("Zoho ids from connection … (Organisation, sandbox)" made a page scroll sideways); PaneSelect
 * never grows past its container, cuts the shown option with an ellipsis and names it in full in
 * its title. Ellipsis does the same for a line of text such as a file name.
 */
import type { ReactNode } from 'react';
import { Select, makeStyles, mergeClasses, type SelectProps } from '@fluentui/react-components';

const useStyles = makeStyles({
  root: { minWidth: 0, maxWidth: '100%', width: '100%' },
  select: { minWidth: 0, width: '100%', textOverflow: 'ellipsis' },
  ellipsis: { display: 'block', minWidth: 0, maxWidth: '100%', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
});

export interface PaneSelectProps extends Omit<SelectProps, 'children'> {
  options: readonly { value: string; label: string }[];
  /** Shown as the only option when there are none ("No sheets", "Loading…"). */
  empty?: string;
  children?: ReactNode;
}

export function PaneSelect({ options, empty, className, value, children, ...rest }: PaneSelectProps) {
  const styles = useStyles();
  const shown = options.find((o) => o.value === value)?.label;
  return (
    // Select gives `className` and `style` to its wrapper (`root`) and the other props to the <select>
    // (its `select` slot): the ellipsis must be on the <select>, where the chosen option is drawn.
    <Select {...rest} value={value} title={shown} root={{ className: mergeClasses(styles.root, className) }} select={{ className: styles.select }}>
      {options.length === 0 && empty !== undefined && <option value="">{empty}</option>}
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
      {children}
    </Select>
  );
}

/** One line of text that ends in "…" when the pane is too narrow; the full text is its title. */
export function Ellipsis({ text, className, testId }: { text: string; className?: string; testId?: string }) {
  const styles = useStyles();
  return (
    <span className={mergeClasses(styles.ellipsis, className)} title={text} data-testid={testId}>
      {text}
    </span>
  );
}
