/**
 * Figures in cards, one card per settlement, currency or file: a title and label–amount pairs that
 * flow into two columns when the pane is wide enough and one when it is not. A table of four money
 * columns does not fit a 350 px pane; these do.
 */
import { Caption1, Text, makeStyles, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  cards: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  card: { padding: tokens.spacingVerticalS, borderRadius: tokens.borderRadiusMedium, backgroundColor: tokens.colorNeutralBackground2, minWidth: 0 },
  title: { overflowWrap: 'anywhere' },
  figures: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(130px, 1fr))', columnGap: tokens.spacingHorizontalL, rowGap: '2px', margin: 0 },
  figure: { display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalS },
  money: { textAlign: 'right', fontVariantNumeric: 'tabular-nums', margin: 0, whiteSpace: 'nowrap' },
});

export interface FigureCard {
  key: string;
  title: string;
  /** Label and the amount as shown. */
  figures: readonly (readonly [string, string])[];
  /** A sentence under the figures (what to check). */
  note?: string;
}

export function FigureCards({ cards, label, testId, cardTestId }: { cards: readonly FigureCard[]; label: string; testId?: string; cardTestId?: string }) {
  const styles = useStyles();
  return (
    <ul className={styles.cards} aria-label={label} data-testid={testId}>
      {cards.map((c) => (
        <li key={c.key} className={styles.card} data-testid={cardTestId}>
          <Text weight="semibold" block className={styles.title}>
            {c.title}
          </Text>
          <dl className={styles.figures}>
            {c.figures.map(([name, value]) => (
              <div key={name} className={styles.figure}>
                <dt>{name}</dt>
                <dd className={styles.money}>{value}</dd>
              </div>
            ))}
          </dl>
          {c.note && <Caption1 block>{c.note}</Caption1>}
        </li>
      ))}
    </ul>
  );
}
