export * from './identity';
export * from './rule';
