export * from './profiles';
export * from './plan';
export * from './columns';
export * from './lines';
export * from './invoices';
export * from './zoho';
export * from './lifecycle';
export * from './learners';
