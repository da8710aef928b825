export { ProblemsList } from './problems-list';
export { problemLocation, columnIndexOf } from './problem-location';
export type { ProblemsListProps } from './problems-list';
export { RunProgress, formatCount } from './run-progress';
export type { RunProgressProps } from './run-progress';
export { RunStatus, runErrorMessage } from './run-status';
export type { RunStatusProps } from './run-status';
