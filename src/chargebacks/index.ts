export * from './reason-codes';
export * from './currencies';
export * from './records';
export * from './files';
