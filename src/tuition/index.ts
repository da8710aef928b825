export * from './profiles';
export * from './lines';
export * from './invoices';
export * from './lifecycle';
export * from './learners';
