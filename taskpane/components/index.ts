/**
 * What every page builds on: the run hook and its status, the polling loop, the input picker, the problems list,
 * controls that fit the pane, and the error sentence.
 */
export { useJobRun } from './use-job-run';
export { usePolling } from './use-polling';
export type { JobRun, RibbonTrigger } from './use-job-run';
export type { JobContext, RunProgressState } from './job-runner';
export { RunStatus } from './run-status';
export { CountBar } from './count-bar';
export { InputPicker, useInputPicker, describeDataset } from './input-picker';
export type { InputChoice, InputPickerSpec, InputSource } from './input-picker';
export { readDataset } from './read-dataset';
export { ProblemsList } from './problems-list';
export type { ProblemsListProps } from './problems-list';
export { problemLocation, columnIndexOf } from './problem-location';
export { headersOf } from './reveal-problem';
export { Ellipsis, PaneSelect } from './pane-select';
export { errorSentence, runErrorMessage } from './errors';
export { countOf, formatCount } from '../../src/kernel/counts';
export { FigureCards } from './figure-cards';
export { downloadText } from './download';
export type { FigureCard } from './figure-cards';
