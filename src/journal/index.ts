export * from './journal';
export * from './gldi';
