#!/usr/bin/env node
// Runs the TypeScript sources through tsx (development install); the shipped agent binary is
// bundled instead, so this loader is not on its path.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exit(await main(process.argv.slice(2)));
