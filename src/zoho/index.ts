export * from './documents';
export * from './census';
