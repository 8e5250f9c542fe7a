/** Every module's migrations, in the order they apply. Append; never edit an applied one. */
import type { Migration } from './database.ts';
import { FLEET_MIGRATIONS } from '../fleet/schema.ts';
import { AUTH_MIGRATIONS } from '../auth/schema.ts';

export const MIGRATIONS: readonly Migration[] = [...FLEET_MIGRATIONS, ...AUTH_MIGRATIONS];
