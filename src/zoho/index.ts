export * from './documents';
export * from './census';
export * from './leases';
