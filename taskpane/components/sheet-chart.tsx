/**
 * A sheet's chart drawn in the pane (preview workbook): the ChartData the workbook's native chart is
 * made of, through @fluentui/react-charts. It takes the pane's width (320–450 px and wider) and a
 * height that fits the pane; categories read as dates get a time axis, long category labels are
 * shortened with their full text on hover. The points come from ./sheet-chart-model.
 */
import { Caption1, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import {
  AreaChart,
  DonutChart,
  GroupedVerticalBarChart,
  HorizontalBarChartWithAxis,
  LineChart,
  ResponsiveContainer,
  VerticalBarChart,
} from '@fluentui/react-charts';
import type { ChartData } from '../../src/workbook/chart-data';
import { BAR_LABEL_CHARS, barLabelWidth, chartHeight, MAX_CATEGORIES, paneChart, type PaneChart } from './sheet-chart-model';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    minWidth: 0,
    padding: tokens.spacingVerticalS,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  plot: { width: '100%', minWidth: 0, overflow: 'hidden' },
});

// Room on the right for the last date label, which is centred on the axis end.
const MARGINS = { top: 10, right: 32, bottom: 35, left: 50 };

function Plot({ chart }: { chart: PaneChart }) {
  const svgProps = { 'aria-label': chart.title };
  switch (chart.kind) {
    case 'line':
    case 'area': {
      const Chart = chart.kind === 'line' ? LineChart : AreaChart;
      return (
        <Chart
          data={{ chartTitle: chart.title, lineChartData: chart.lines.map((l) => ({ ...l, hideNonActiveDots: true, lineOptions: { strokeWidth: 2 } })) }}
          hideLegend={chart.lines.length < 2}
          margins={MARGINS}
          xAxisTickCount={4}
          tickFormat={chart.dates ? undefined : (v: number | Date) => (typeof v === 'number' && Number.isInteger(v) ? (chart.labels[v] ?? '') : '')}
          useUTC
          svgProps={svgProps}
        />
      );
    }
    case 'column':
      return <VerticalBarChart data={chart.bars} chartTitle={chart.title} hideLegend margins={MARGINS} showXAxisLablesTooltip noOfCharsToTruncate={8} svgProps={svgProps} />;
    case 'grouped':
      return <GroupedVerticalBarChart data={chart.groups} chartTitle={chart.title} margins={MARGINS} showXAxisLablesTooltip noOfCharsToTruncate={8} svgProps={svgProps} />;
    case 'bar':
      return (
        <HorizontalBarChartWithAxis
          data={chart.bars}
          chartTitle={chart.title}
          hideLegend
          margins={{ ...MARGINS, left: barLabelWidth(chart) }}
          noOfCharsToTruncate={BAR_LABEL_CHARS}
          showYAxisLablesTooltip
          yAxisCategoryOrder="data"
          svgProps={svgProps}
        />
      );
    case 'pie':
      return <DonutChart data={{ chartTitle: chart.title, chartData: chart.slices }} innerRadius={0} hideLabels={false} />;
  }
}

export interface SheetChartProps {
  data: ChartData;
}

export function SheetChart({ data }: SheetChartProps) {
  const styles = useStyles();
  const chart = paneChart(data);
  const omitted = 'omitted' in chart ? chart.omitted : 0;
  return (
    <figure className={styles.root} data-testid="sheet-chart" aria-label={chart.title} style={{ margin: 0 }}>
      <Subtitle2 as="h3">{chart.title}</Subtitle2>
      <div className={styles.plot}>
        <ResponsiveContainer height={chartHeight(chart)}>
          <Plot chart={chart} />
        </ResponsiveContainer>
      </div>
      {omitted > 0 && (
        <Caption1>
          The first {MAX_CATEGORIES} of {MAX_CATEGORIES + omitted} rows; the sheet has them all.
        </Caption1>
      )}
    </figure>
  );
}
