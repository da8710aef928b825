export * from './lifecycle';
export * from './content';
export type * from './content-view';
export * from './outcome';
