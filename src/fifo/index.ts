export * from './transactions';
export * from './allocate';
export * from './read';
export * from './report';
export * from './canonical';
export * from './formulas';
