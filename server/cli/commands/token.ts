import { devTokenTtl, isRole, type Role } from '../../auth';
import { cliAuth, cliConfig } from '../setup';
import { println, parseCommandArgs, UsageError, type CliCommand } from '../command';

export const command: CliCommand = {
  name: 'token',
  summary: 'Print a sign-in token from the local development issuer.',
  usage: [
    'closedesk token --user <name> --role <preparer|approver|admin> [--role …] [--ttl 8h]   (at most 12h)',
    '',
    'Prints a bearer token (JWT) signed by the development issuer whose key is in CLOSEDESK_DATA_DIR.',
    'Use it as "Authorization: Bearer <token>". Only when AUTH_JWKS_URL is not set.',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseCommandArgs({
      args: argv,
      options: { user: { type: 'string' }, role: { type: 'string', multiple: true }, ttl: { type: 'string', default: '8h' } },
      strict: true,
    });
    if (!values.user) throw new UsageError('Give the user name with --user.');
    const roles = (values.role ?? []).flatMap((r) => r.split(','));
    if (roles.length === 0) throw new UsageError('Give at least one --role (preparer, approver or admin).');
    const bad = roles.filter((r) => !isRole(r));
    if (bad.length) throw new UsageError(`Unknown role ${bad.join(', ')}; roles are preparer, approver and admin.`);
    try {
      devTokenTtl(values.ttl!);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const config = cliConfig(io);
    const auth = await cliAuth(config);
    if (!auth.devIssuer) {
      println(io.err, 'This server trusts an external identity provider (AUTH_JWKS_URL is set); get a token by signing in there.');
      return 2;
    }
    println(io.out, await auth.devIssuer.sign({ user: values.user, roles: roles as Role[], ttl: values.ttl }));
    return 0;
  },
};
