import type { Command } from 'commander';
import { ZodError } from 'zod';
import { createUser, ROLES, UnknownClinicianError, UserExistsError, type Role } from '../../api/auth/users';
import { withWarehouse, type CliContext } from '../context';
import { FailureError, UsageError } from '../errors';

interface AddFlags {
  role?: string;
  tracks?: string;
  sites?: string;
  clinician?: string;
  passwordStdin?: boolean;
  json?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  // One trailing newline is the shell's (echo, a heredoc), not the password's.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

/**
 * `iop users add <name> --role admin|analyst|viewer|clinician [--tracks a,b] [--sites a,b] [--clinician ID] [--password-stdin] [--json]`
 * (docs/cli.md): creates the user and prints its API token once; only the token's
 * SHA-256 and the password's scrypt hash are stored.
 */
/** A comma-separated flag as a list of codes; null when the flag is absent. */
function codeList(flag: string | undefined, emptyMessage: string): string[] | null {
  if (flag === undefined) return null;
  const codes = flag.split(',').map((s) => s.trim()).filter(Boolean);
  if (codes.length === 0) throw new UsageError(emptyMessage);
  return codes;
}

export function registerUsers(program: Command, ctx: CliContext): void {
  const users = program.command('users').description('manage API and dashboard users');
  users.command('add')
    .description('create a user and print its API token (shown once)')
    .argument('<name>', 'username: letters, digits and . _ @ -')
    .option('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--tracks <codes>', 'comma-separated track codes the user may see (required for viewers)')
    .option('--sites <codes>', 'comma-separated site codes the user may see')
    .option('--clinician <id>', 'for --role clinician: the clinician whose caseload the user reads (must be in the warehouse)')
    .option('--password-stdin', 'read a dashboard sign-in password (at least 12 characters) from standard input')
    .option('--json', 'print {"username", "role", "tracks", "sites", "token"} as one JSON document')
    .action(async (name: string, o: AddFlags) => {
      if (!o.role || !isRole(o.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      const tracks = codeList(o.tracks, '--tracks needs at least one track code');
      const sites = codeList(o.sites, '--sites needs at least one site code');
      const password = o.passwordStdin ? await readStdin() : null;
      const created = await withWarehouse(ctx, async (wh) => {
        try {
          return await createUser(wh.db, { username: name, role: o.role as Role, tracks, sites, clinician_id: o.clinician ?? null, password });
        } catch (e) {
          if (e instanceof ZodError) throw new UsageError(e.issues.map((i) => i.message).join('; '));
          if (e instanceof UnknownClinicianError) throw new UsageError(e.message);
          if (e instanceof UserExistsError) throw new FailureError(e.message);
          throw e;
        }
      }, 2);
      if (o.json) return ctx.out(JSON.stringify({ username: created.username, role: created.role, tracks: created.tracks, sites: created.sites, ...(created.clinician_id ? { clinician_id: created.clinician_id } : {}), token: created.token }));
      const scope = [created.clinician_id && `clinician: ${created.clinician_id}`, created.tracks && `tracks: ${created.tracks.join(', ')}`, created.sites && `sites: ${created.sites.join(', ')}`].filter(Boolean).join('; ');
      ctx.out([
        `created ${created.role} ${created.username}${scope ? ` (${scope})` : ''}`,
        'API token (shown once; store it now):',
        created.token,
      ].join('\n'));
    });
}
