export * from './version.ts';
export * from './topics.ts';
export * from './camera.ts';
export * from './messages.ts';
export * from './frame.ts';
export * from './compact-health.ts';
export * from './live.ts';
