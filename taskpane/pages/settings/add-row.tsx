/** A name typed in and added to a list (a customer, a ledger, a SKU), with the names known so far offered. */
import { useId, useState } from 'react';
import { Button, Field, Input } from '@fluentui/react-components';
import { Add20Regular } from '@fluentui/react-icons';
import { useSettingsStyles } from './styles';

export function AddRow({ label, button, onAdd, placeholder, suggestions = [], testId }: { label: string; button: string; onAdd: (name: string) => void; placeholder?: string; suggestions?: readonly string[]; testId?: string }) {
  const styles = useSettingsStyles();
  const listId = useId();
  const [value, setValue] = useState('');
  return (
    <div className={styles.row}>
      <Field label={label} className={styles.fill}>
        <Input value={value} onChange={(_, d) => setValue(d.value)} placeholder={placeholder} list={suggestions.length ? listId : undefined} data-testid={testId} />
      </Field>
      {suggestions.length > 0 && (
        <datalist id={listId}>
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      )}
      <Button
        icon={<Add20Regular />}
        disabled={!value.trim()}
        onClick={() => {
          onAdd(value.trim());
          setValue('');
        }}
      >
        {button}
      </Button>
    </div>
  );
}
