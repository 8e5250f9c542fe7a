/** Every module's migrations, in the order they apply. Append; never edit an applied one. */
import type { Migration } from './database.ts';
import { FLEET_MIGRATIONS } from '../fleet/schema.ts';
import { AUTH_MIGRATIONS } from '../auth/schema.ts';
import { DOMAIN_MIGRATIONS } from '../domain/schema.ts';
import { SHARING_MIGRATIONS } from '../sharing/schema.ts';
import { AUDIT_MIGRATIONS } from '../audit/schema.ts';
import { ALERT_MIGRATIONS } from '../alerts/schema.ts';
import { UPLINK_MIGRATIONS } from '../uplink/schema.ts';

export const MIGRATIONS: readonly Migration[] = [...FLEET_MIGRATIONS, ...AUTH_MIGRATIONS, ...DOMAIN_MIGRATIONS, ...SHARING_MIGRATIONS, ...AUDIT_MIGRATIONS, ...ALERT_MIGRATIONS, ...UPLINK_MIGRATIONS];
