export * from './schema.ts';
export * from './match.ts';
export * from './load.ts';
