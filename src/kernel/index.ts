export * from './problems';
export * from './table';
export * from './money';
export * from './ids';
export * from './dates';
export * from './csv';
export * from './periods';
export * from './records';
