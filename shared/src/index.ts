export * from './protocol/index.ts';
export * from './config.ts';
export * from './secrets.ts';
export * from './logger.ts';
export * from './cli.ts';
