export * from './lifecycle';
export * from './content';
