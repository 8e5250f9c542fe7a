import { requireStr, resolveSecret, str, UsageError, type Command } from '@camfleet/shared';
import { newSecret } from '../../auth/secrets.ts';
import { UserStore } from '../../auth/users.ts';
import { ROLE_NAMES, roleSpec, roleValidForOrgKind } from '../../authz/policy.ts';
import { createDomainServices } from '../../services.ts';
import { CONFIG_OPTIONS, openFromCli } from '../open.ts';

export const userCommand: Command = {
  name: 'user',
  summary: 'create, list, change and disable users; issue API tokens',
  usage:
    'user create --username <name> --role <role> [--org <org-id>] [--password-env <VAR> | --password-file <file>]\n' +
    '       camfleet-aggregator user update --username <name> [--role <role>] [--org <org-id>] [--password-env <VAR>]\n' +
    '       camfleet-aggregator user disable --username <name>\n' +
    '       camfleet-aggregator user list\n' +
    '       camfleet-aggregator user token --username <name> [--name <label>] [--ttl-days <n>]',
  details:
    `Roles: ${ROLE_NAMES.join(', ')} (see aggregator/src/authz/README.md).\n` +
    'Every role but admin needs --org: a user without an organisation reaches nothing. An admin\n' +
    'without --org (the bootstrap admin) reaches the whole city.\n' +
    'Without a password source, `user create` generates one and prints it once.\n' +
    '`user token` prints a new bearer token once; only its hash is stored. Changes are audited.\n' +
    'Common options: --config <file>, --data-dir <dir>.',
  allowPositionals: true,
  options: {
    ...CONFIG_OPTIONS,
    username: { type: 'string' },
    role: { type: 'string' },
    org: { type: 'string' },
    'password-env': { type: 'string' },
    'password-file': { type: 'string' },
    name: { type: 'string' },
    'ttl-days': { type: 'string' },
  },
  async run(ctx) {
    const [action] = ctx.positionals;
    const db = openFromCli(ctx);
    try {
      const users = new UserStore(db);
      const domain = createDomainServices(db);
      const cli = { via: 'cli' };
      const checkRole = (role: string) => {
        if (!roleSpec(role)) throw new UsageError(`unknown role '${role}' (${ROLE_NAMES.join(', ')})`);
      };
      const checkOrg = async (org: string | undefined) => {
        if (org && !(await domain.repos.orgs.get(org))) throw new UsageError(`unknown organisation '${org}' (load them with \`seed\`)`);
      };
      // Out of band, any role may be given, but only one that exists for the organisation's kind
      // (a business has no police officers: that role would reach state cameras).
      const checkRoleInOrg = async (role: string, org: string | null) => {
        const kind = org ? ((await domain.repos.orgs.get(org))?.kind ?? null) : null;
        if (!roleValidForOrgKind(role, kind)) throw new UsageError(`role '${role}' does not exist in ${org ? `organisation '${org}' (${kind})` : 'a user without an organisation'}`);
      };
      const password = () => {
        const env = str(ctx, 'password-env');
        const file = str(ctx, 'password-file');
        return env ? resolveSecret({ env }, ctx.env) : file ? resolveSecret({ file }) : undefined;
      };
      if (action === 'list') {
        for (const u of users.list()) ctx.stdout.write(`${u.username}\t${u.role}\t${u.orgId ?? '-'}${u.disabled ? '\tdisabled' : ''}\n`);
        return 0;
      }
      const username = requireStr(ctx, 'username');
      if (action === 'create') {
        const role = requireStr(ctx, 'role');
        checkRole(role);
        const org = str(ctx, 'org');
        if (!org && role !== 'admin') throw new UsageError(`role '${role}' needs --org`);
        await checkOrg(org);
        await checkRoleInOrg(role, org ?? null);
        const given = password();
        const pw = given ?? newSecret(12);
        const user = users.create(username, pw, role, org ?? null);
        await domain.audit.record({ action: 'user.create', resource: { type: 'user', id: String(user.id), ownerOrgId: org ?? null }, detail: { ...cli, username, role, orgId: org ?? null } });
        ctx.stdout.write(`created user ${user.username} (${user.role}${org ? ` @ ${org}` : ''})\n`);
        if (!given) ctx.stdout.write(`password: ${pw}\n`);
        return 0;
      }
      const user = users.byUsername(username);
      if (!user) throw new Error(`no user '${username}'`);
      if (action === 'update') {
        const role = str(ctx, 'role');
        if (role) checkRole(role);
        const org = str(ctx, 'org');
        await checkOrg(org);
        if (role || org) await checkRoleInOrg(role ?? user.role, org ?? user.orgId);
        const pw = password();
        users.update(user.id, { role, orgId: org, password: pw });
        await domain.audit.record({ action: 'user.update', resource: { type: 'user', id: String(user.id), ownerOrgId: org ?? user.orgId }, detail: { ...cli, username, role: role ?? null, orgId: org ?? null, passwordChanged: pw !== undefined } });
        ctx.stdout.write(`updated user ${username}\n`);
        return 0;
      }
      if (action === 'disable') {
        users.disable(user.id);
        await domain.audit.record({ action: 'user.disable', resource: { type: 'user', id: String(user.id), ownerOrgId: user.orgId }, detail: { ...cli, username } });
        ctx.stdout.write(`disabled user ${username} and revoked their tokens\n`);
        return 0;
      }
      if (action === 'token') {
        const days = str(ctx, 'ttl-days');
        const name = str(ctx, 'name') ?? 'cli';
        const token = users.issueToken(user.id, name, days ? Number(days) * 86400 : undefined);
        await domain.audit.record({ action: 'token.issue', resource: { type: 'user', id: String(user.id), ownerOrgId: user.orgId }, detail: { ...cli, username, name } });
        ctx.stdout.write(token + '\n');
        return 0;
      }
      throw new UsageError(`unknown action '${action ?? ''}' (create | update | disable | list | token)`);
    } finally {
      db.close();
    }
  },
};
