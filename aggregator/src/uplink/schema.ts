/** Migrations of the uplink modules (after the domain's: enrollment tokens reference sites). */
import type { Migration } from '../db/database.ts';
import { INGEST_MIGRATIONS } from '../ingest/schema.ts';
import { ENROLLMENT_MIGRATIONS } from '../enrollment/schema.ts';
import { COMMANDS_MIGRATIONS } from '../commands/schema.ts';
import { CLIPS_MIGRATIONS } from '../clips/schema.ts';

export const UPLINK_MIGRATIONS: Migration[] = [...INGEST_MIGRATIONS, ...ENROLLMENT_MIGRATIONS, ...COMMANDS_MIGRATIONS, ...CLIPS_MIGRATIONS];
