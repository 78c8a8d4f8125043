// status shows role profiles of the config file as `role via ROOT` with the root's state, and the shell's role
// session with its root session's time left; --json has the same fields.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runInProcess } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import type { World } from '../helpers/world.js';
import { makeRolesWorld, ROLE_ARNS, ROLES_CONFIG } from './world.js';

const Status = suite<{ world: World }>('roles/status: role profiles and the root behind them');

Status.before.each(async (context) => {
  context.world = await makeRolesWorld();
  await context.world.writeCredentials(
    [
      '[base]', 'aws_access_key_id = ASIA2', 'aws_secret_access_key = s2', 'aws_session_token = t2', 'expiration = 2026-11-24T07:58:30Z', '',
      '[base::source-profile]', `aws_access_key_id = ${ALICE.accessKeyId}`, 'aws_secret_access_key = s', '',
    ].join('\n'),
  );
  await context.world.writeConfig(`${ROLES_CONFIG}\n[profile loop]\nrole_arn = ${ROLE_ARNS.admin}\nsource_profile = loop2\n\n[profile loop2]\nrole_arn = ${ROLE_ARNS.admin}\nsource_profile = loop\n`);
});
Status.after.each(async (context) => {
  await context.world.remove();
});

const NOW = new Date('2026-11-23T20:00:00Z');

Status('role profiles show as role via ROOT with the root state and time left; a broken chain as invalid', async ({ world }) => {
  const result = await runInProcess(['status'], { home: world.home, env: {}, now: () => NOW });
  assert.is(result.status, 0, result.stderr);
  const rows = result.stdout.split('\n').map((line) => line.split(/\s{2,}/));
  assert.equal(rows.slice(1, -2), [
    ['PROFILE', 'STATE', 'EXPIRES', 'LEFT'],
    ['base', 'session', '2026-11-24T07:58:30Z', '11h58m'],
    ['admin', 'role via base: session', '2026-11-24T07:58:30Z', '11h58m'],
    ['readonly', 'role via base: session', '2026-11-24T07:58:30Z', '11h58m'],
    ['deep', 'role via base: session', '2026-11-24T07:58:30Z', '11h58m'],
    ['partner', 'role via base: session', '2026-11-24T07:58:30Z', '11h58m'],
    ['long', 'role via base: session', '2026-11-24T07:58:30Z', '11h58m'],
    ['loop', 'role, invalid (aws2fa login loop says why)'],
    ['loop2', 'role, invalid (aws2fa login loop2 says why)'],
  ]);
  for (const secret of ['s2', 't2', 'ASIA2']) assert.not.ok(result.stdout.includes(` ${secret}`), secret);
});

Status('status ROLE --json: the role with its root; the shell line names the role and the root time left', async ({ world }) => {
  const expires = Math.floor(NOW.getTime() / 1000) + 45 * 60;
  const rootExpires = Math.floor(NOW.getTime() / 1000) + 11 * 3600;
  const env = { AWS2FA_PROFILE: 'admin', AWS2FA_EXPIRES: String(expires), AWS_SESSION_TOKEN: 'x', AWS2FA_ROOT_PROFILE: 'base', AWS2FA_ROOT_EXPIRES: String(rootExpires) };
  const result = await runInProcess(['status', 'admin', '--json'], { home: world.home, env, now: () => NOW });
  assert.is(result.status, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout), {
    credentialsFile: world.credentials,
    profiles: [
      { name: 'admin', state: 'session', managedByAws2fa: true, expiration: '2026-11-24T07:58:30Z', secondsLeft: 43110, role: { root: 'base', problem: null } },
    ],
    shell: {
      profile: 'admin',
      state: 'session',
      expiration: '2026-11-23T20:45:00Z',
      secondsLeft: 2700,
      root: { profile: 'base', expiration: '2026-11-24T07:00:00Z', secondsLeft: 39600 },
    },
  });
  const table = await runInProcess(['status', 'admin'], { home: world.home, env, now: () => NOW });
  assert.match(table.stdout, /\nadmin +role via base: session +2026-11-24T07:58:30Z +11h58m\nthis shell: admin env session until 2026-11-23T20:45:00Z \(45m left\), role via base \(11h00m left\)\n$/);
  const loop = await runInProcess(['status', 'loop', '--json'], { home: world.home, env: {}, now: () => NOW });
  assert.equal(JSON.parse(loop.stdout).profiles[0].role, { root: null, problem: 'profile loop: source_profile makes a cycle (loop → loop2 → loop); end the chain at a profile with long-term keys' });
});

Status.run();
