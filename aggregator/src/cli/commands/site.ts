import { requireStr, str, UsageError, type Command } from '@camfleet/shared';
import { createSqliteDomainRepos } from '../../domain/sqlite.ts';
import { CONFIG_OPTIONS, openFromCli } from '../open.ts';

const SITE_ID_RE = /^[a-z0-9][a-z0-9-]{0,47}$/;

export const siteCommand: Command = {
  name: 'site',
  summary: 'create and list sites (where agents are installed)',
  usage:
    'site create --id <site-id> --name <name> --org <org-id> --area <area-id> [--address <text>] [--lat <deg> --lon <deg>]\n' +
    '       camfleet-aggregator site list',
  details: 'Agents join a site by enrolling with a token from `token create --site <site-id>`.\nCommon options: --config <file>, --data-dir <dir>.',
  allowPositionals: true,
  options: {
    ...CONFIG_OPTIONS,
    id: { type: 'string' },
    name: { type: 'string' },
    org: { type: 'string' },
    area: { type: 'string' },
    address: { type: 'string' },
    lat: { type: 'string' },
    lon: { type: 'string' },
  },
  async run(ctx) {
    const [action] = ctx.positionals;
    const db = openFromCli(ctx);
    try {
      const repos = createSqliteDomainRepos(db);
      if (action === 'create') {
        const id = requireStr(ctx, 'id');
        if (!SITE_ID_RE.test(id)) throw new UsageError(`site id '${id}' must be lowercase letters, digits and '-' (max 48)`);
        const orgId = requireStr(ctx, 'org');
        const areaId = requireStr(ctx, 'area');
        if (!db.prepare('SELECT 1 FROM orgs WHERE id = ?').get(orgId)) throw new Error(`no organisation '${orgId}'`);
        if (!db.prepare('SELECT 1 FROM areas WHERE id = ?').get(areaId)) throw new Error(`no area '${areaId}'`);
        const lat = str(ctx, 'lat');
        const lon = str(ctx, 'lon');
        await repos.sites.upsert({
          id,
          name: requireStr(ctx, 'name'),
          orgId,
          areaId,
          address: str(ctx, 'address') ?? null,
          lat: lat === undefined ? null : Number(lat),
          lon: lon === undefined ? null : Number(lon),
        });
        ctx.stdout.write(`site ${id} saved\n`);
        return 0;
      }
      if (action === 'list') {
        for (const s of await repos.sites.list()) ctx.stdout.write(`${s.id}\t${s.name}\torg=${s.orgId}\tarea=${s.areaId}\n`);
        return 0;
      }
      throw new UsageError(`unknown action '${action ?? ''}' (create | list)`);
    } finally {
      db.close();
    }
  },
};
