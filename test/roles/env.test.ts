// env login ROLE: the role's session in the environment, assumed with the root's MFA session; one code for every
// role while that session lasts; every failure one line, stdout empty, files byte-identical.
import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import { scriptedTerminal, type World } from '../helpers/world.js';
import { decodeHeld } from '../../src/profiles/held.js';
import { actions, exportsOf, makeRolesWorld, ROLE_ARNS, ROLES_CONFIG } from './world.js';

const Env = suite<{ world: World }>('roles/env: env login ROLE');

Env.before.each(async (context) => {
  context.world = await makeRolesWorld();
});
Env.after.each(async (context) => {
  await context.world.remove();
});

const unix = (date: Date) => String(Math.floor(date.getTime() / 1000));

Env('env login ROLE CODE: GetSessionToken with the root keys, AssumeRole with that session; the role exported like a profile', async ({ world }) => {
  const before = await world.snapshot();
  const result = await world.aws2fa(['env', 'login', 'admin', ALICE.code, '--shell', 'bash']);
  assert.is(result.status, 0, result.stderr);
  assert.equal(actions(world), ['GetSessionToken', 'AssumeRole']);
  const [getSession, assume] = world.fake.requests;
  const root = world.fake.issued[0]!;
  const role = world.fake.assumed[0]!;
  assert.is(getSession!.accessKeyId, ALICE.accessKeyId);
  assert.is(getSession!.params.DurationSeconds, '43200', 'the root session is always the default 12 h');
  assert.is(assume!.accessKeyId, root.accessKeyId, 'AssumeRole is signed with the root session');
  assert.equal(
    { RoleArn: assume!.params.RoleArn, RoleSessionName: assume!.params.RoleSessionName, DurationSeconds: assume!.params.DurationSeconds },
    { RoleArn: ROLE_ARNS.admin, RoleSessionName: 'alice', DurationSeconds: '3600' },
  );
  assert.is(assume!.params.SerialNumber, undefined);
  const exports = exportsOf(result.stdout);
  const expiration = role.expiration.toISOString().replace('.000Z', 'Z');
  assert.equal(exports, {
    AWS_ACCESS_KEY_ID: role.accessKeyId,
    AWS_SECRET_ACCESS_KEY: role.secretAccessKey,
    AWS_SESSION_TOKEN: role.sessionToken,
    AWS_SESSION_EXPIRATION: expiration,
    AWS_CREDENTIAL_EXPIRATION: expiration,
    AWS2FA_PROFILE: 'admin',
    AWS2FA_EXPIRES: unix(role.expiration),
    AWS2FA_ROOT_PROFILE: 'base',
    AWS2FA_ROOT_EXPIRES: unix(root.expiration),
    AWS_REGION: 'eu-central-1',
    AWS_DEFAULT_REGION: 'eu-central-1',
    AWS2FA_REGION: 'eu-central-1',
  });
  assert.not.match(result.stdout, /__aws2fa_held/, 'nothing held without the hook');
  assert.match(result.stderr, /^This shell has a session of admin \(role, via base\) until .* \((?:1h00m|59m) left\)\.\n$/);
  assert.equal(await world.snapshot(), before);
});

Env('with AWS2FA_HOOK=1 the root session is printed into an unexported shell variable', async ({ world }) => {
  const result = await world.aws2fa(['env', 'login', 'admin', ALICE.code, '--shell', 'bash'], { env: { AWS2FA_HOOK: '1' } });
  assert.is(result.status, 0, result.stderr);
  // Assigned with allexport off (set -a would export it), after an unset that drops an export attribute.
  const value = /^unset __aws2fa_held\ncase \$- in \*a\*\) set \+a; __aws2fa_held='([\w:-]+)'; set -a ;; \*\) __aws2fa_held='\1' ;; esac$/m.exec(result.stdout)?.[1];
  assert.ok(value, result.stdout);
  assert.not.match(result.stdout, /export __aws2fa_held/);
  const held = decodeHeld(value);
  const root = world.fake.issued[0]!;
  assert.equal(held, {
    profile: 'base',
    credentials: world.credentials,
    keys: { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey, sessionToken: root.sessionToken, expiration: root.expiration },
  });
  const fish = await world.aws2fa(['env', 'login', 'base', ALICE.code, '--shell', 'fish'], { env: { AWS2FA_HOOK: '1' } });
  assert.match(fish.stdout, /^set -g -u __aws2fa_held 'aws2fa-held-1:[\w-]+'$/m);
});

Env('a role profile without a region drops only a region an earlier env login set', async ({ world }) => {
  const result = await world.aws2fa(['env', 'login', 'readonly', ALICE.code, '--shell', 'bash']);
  assert.is(result.status, 0, result.stderr);
  // Evaluated by a real bash: the user's own region stays, the one an earlier env login set goes.
  const regionAfter = (before: string) =>
    spawnSync(`bash`, [`-c`, `${before}\n${result.stdout}\nprintf '%s' "\${AWS_REGION-unset}"`], { encoding: `utf8` }).stdout;
  assert.is(regionAfter(`export AWS_REGION=eu-west-1`), `eu-west-1`);
  assert.is(regionAfter(`export AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1 AWS2FA_REGION=eu-west-1`), `unset`);
  assert.not.match(result.stdout, /export AWS_(DEFAULT_)?REGION='/);
  assert.is(world.fake.requests[1]!.params.RoleArn, ROLE_ARNS.readonly);
});

Env('a chain of two hops: each role assumed with the session before it', async ({ world }) => {
  const result = await world.aws2fa(['env', 'login', 'deep', ALICE.code, '--shell', 'bash']);
  assert.is(result.status, 0, result.stderr);
  assert.equal(actions(world), ['GetSessionToken', 'AssumeRole', 'AssumeRole']);
  const [, first, second] = world.fake.requests;
  const [admin, deep] = world.fake.assumed;
  assert.is(first!.params.RoleArn, ROLE_ARNS.admin);
  assert.is(first!.accessKeyId, world.fake.issued[0]!.accessKeyId);
  assert.is(second!.params.RoleArn, ROLE_ARNS.deep);
  assert.is(second!.accessKeyId, admin!.accessKeyId, 'deep is assumed with the admin role session');
  assert.is(exportsOf(result.stdout).AWS_ACCESS_KEY_ID, deep!.accessKeyId);
  assert.is(exportsOf(result.stdout).AWS2FA_ROOT_PROFILE, 'base');
});

Env('external_id is sent as ExternalId', async ({ world }) => {
  const result = await world.aws2fa(['env', 'login', 'partner', ALICE.code]);
  assert.is(result.status, 0, result.stderr);
  assert.is(world.fake.requests[1]!.params.ExternalId, 'ext-42');
});

Env('a first hop asking more than 1 h is assumed straight from the long-term keys with the code; no root session', async ({ world }) => {
  const result = await world.aws2fa(['env', 'login', 'long', ALICE.code, '--shell', 'bash'], { env: { AWS2FA_HOOK: '1' } });
  assert.is(result.status, 0, result.stderr);
  assert.equal(actions(world), ['AssumeRole']);
  const request = world.fake.requests[0]!;
  assert.is(request.accessKeyId, ALICE.accessKeyId);
  assert.equal(
    { SerialNumber: request.params.SerialNumber, TokenCode: request.params.TokenCode, DurationSeconds: request.params.DurationSeconds },
    { SerialNumber: ALICE.mfaSerial, TokenCode: ALICE.code, DurationSeconds: '7200' },
  );
  assert.is(world.fake.issued.length, 0);
  assert.not.match(result.stdout, /__aws2fa_held|export AWS2FA_ROOT/);
  assert.match(result.stdout, /^unset AWS2FA_ROOT_PROFILE$/m);
  assert.is(exportsOf(result.stdout).AWS2FA_EXPIRES, unix(world.fake.assumed[0]!.expiration));
  const flag = await world.aws2fa(['env', 'login', 'long', ALICE.code, '--duration', '5400']);
  assert.is(flag.status, 0, flag.stderr);
  assert.is(world.fake.requests[1]!.params.DurationSeconds, '5400', '--duration wins over duration_seconds');
});

Env('later hops are capped at 1 h, with a note on stderr', async ({ world }) => {
  const result = await world.aws2fa(['env', 'login', 'deep', ALICE.code, '--duration', '7200']);
  assert.is(result.status, 0, result.stderr);
  assert.is(world.fake.requests[2]!.params.DurationSeconds, '3600');
  assert.match(result.stderr, /^aws2fa: note: deep gets 3600 s, not the 7200 s asked: it is a chain of 2 roles, and AWS limits a role assumed from another session to 1 hour\n/);
});

Env("the root's file-mode session signs AssumeRole with no code; a CODE given makes a new root session", async ({ world }) => {
  assert.is((await world.aws2fa(['login', 'base', ALICE.code])).status, 0);
  const fileSession = world.fake.issued[0]!;
  const before = await world.snapshot();
  const result = await world.aws2fa(['env', 'login', 'admin']);
  assert.is(result.status, 0, result.stderr);
  assert.equal(actions(world), ['GetSessionToken', 'AssumeRole']);
  assert.is(world.fake.requests[1]!.accessKeyId, fileSession.accessKeyId);
  assert.is(exportsOf(result.stdout).AWS2FA_ROOT_EXPIRES, unix(fileSession.expiration));
  const withCode = await world.aws2fa(['env', 'login', 'admin', ALICE.code]);
  assert.is(withCode.status, 0, withCode.stderr);
  assert.equal(actions(world), ['GetSessionToken', 'AssumeRole', 'GetSessionToken', 'AssumeRole']);
  assert.is(world.fake.requests[3]!.accessKeyId, world.fake.issued[1]!.accessKeyId);
  assert.equal(await world.snapshot(), before, 'env mode writes no file');
});

Env('a file-mode session with under 5 minutes left is not used', async ({ world }) => {
  assert.is((await world.aws2fa(['login', 'base', ALICE.code])).status, 0);
  const soon = new Date(Date.now() + 200_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await world.writeCredentials((await world.read(world.credentials)).replace(/^expiration = .*$/m, `expiration = ${soon}`));
  const result = await world.aws2fa(['env', 'login', 'admin']);
  assert.is(result.status, 1);
  assert.is(result.stderr, 'aws2fa: no MFA code given and no terminal to ask on: run aws2fa env login admin 123456 with the code from your device\n');
  assert.equal(actions(world), ['GetSessionToken'], 'nothing sent with the short session');
});

Env('asked on the terminal: the device is saved to the root profile, the code asked once for the whole chain', async ({ world }) => {
  await world.writeConfig(ROLES_CONFIG.replace(`mfa_serial = ${ALICE.mfaSerial}\n`, ''));
  const terminal = scriptedTerminal([ALICE.mfaSerial, ALICE.code]);
  const result = await world.aws2fa(['env', 'login', 'deep'], { terminal });
  assert.is(result.status, 0, result.stderr);
  assert.equal(terminal.questions, [`MFA device ARN for profile base (saved to ${world.config}): `, 'MFA code for base (arn:aws:iam::123456789012:mfa/alice), for deep: ']);
  assert.match(await world.read(world.config), /^\[profile base\]\nregion = us-east-1\nmfa_serial = arn:aws:iam::123456789012:mfa\/alice\n/);
  assert.equal(actions(world), ['GetSessionToken', 'AssumeRole', 'AssumeRole']);
});

async function expectFailure(world: World, argv: string[], status: number, message: RegExp, expectedActions: string[] = []) {
  const before = await world.snapshot();
  const result = await world.aws2fa(argv);
  assert.is(result.status, status, `${argv.join(' ')}: ${result.stderr}`);
  assert.is(result.stdout, '');
  assert.match(result.stderr, message);
  assert.is(result.stderr.split('\n').length, 2, `one line: ${JSON.stringify(result.stderr)}`);
  assert.equal(await world.snapshot(), before);
  assert.equal(actions(world), expectedActions, 'requests');
}

Env('refusals by AWS: trust policy, external id, MaxSessionDuration, each one line naming profile and role', async ({ world }) => {
  const config = `${ROLES_CONFIG}\n[profile stranger]\nrole_arn = arn:aws:iam::210987654321:role/stranger\nsource_profile = base\n\n[profile wrongid]\nrole_arn = ${ROLE_ARNS.partner}\nsource_profile = base\nexternal_id = ext-41\n`;
  await world.writeConfig(config);
  const trust = /^aws2fa: AWS refused to let you assume role arn:aws:iam::210987654321:role\/stranger \(profile stranger\): check the role's trust policy .* and the profile's external_id$/m;
  await expectFailure(world, ['env', 'login', 'stranger', ALICE.code], 1, trust, ['GetSessionToken', 'AssumeRole']);
  world.fake.requests.length = 0;
  await expectFailure(world, ['env', 'login', 'wrongid', ALICE.code], 1, /AWS refused to let you assume role .*role\/partner \(profile wrongid\)/, ['GetSessionToken', 'AssumeRole']);
  world.fake.requests.length = 0;
  await expectFailure(
    world,
    ['env', 'login', 'admin', ALICE.code, '--duration', '7200'],
    1,
    /^aws2fa: profile admin asks for 7200 s, more than the maximum session duration \(MaxSessionDuration\) of arn:aws:iam::210987654321:role\/admin: /,
    ['AssumeRole'],
  );
});

Env('local errors come before any request: chain errors, a root without keys, no code, --renew without a held session', async ({ world }) => {
  await world.writeConfig(`${ROLES_CONFIG}\n[profile loop]\nrole_arn = ${ROLE_ARNS.admin}\nsource_profile = loop2\n\n[profile loop2]\nrole_arn = ${ROLE_ARNS.admin}\nsource_profile = loop\n\n[profile orphan]\nrole_arn = ${ROLE_ARNS.admin}\nsource_profile = keyless\n\n[profile keyless]\nregion = eu-west-1\n`);
  await expectFailure(world, ['env', 'login', 'loop', ALICE.code], 1, /^aws2fa: profile loop: source_profile makes a cycle \(loop → loop2 → loop\)/);
  await expectFailure(
    world,
    ['env', 'login', 'orphan', ALICE.code],
    1,
    new RegExp(`^aws2fa: role profile orphan starts from profile keyless, which has no long-term keys in ${world.credentials}: add them with aws configure --profile keyless$`, 'm'),
  );
  await expectFailure(world, ['env', 'login', 'admin'], 1, /^aws2fa: no MFA code given and no terminal to ask on: run aws2fa env login admin 123456 with the code from your device$/m);
  // A role of more than an hour is assumed straight from the long-term keys: the code goes there, same advice.
  await expectFailure(world, ['env', 'login', 'long'], 1, /^aws2fa: no MFA code given and no terminal to ask on: run aws2fa env login long 123456 with the code from your device$/m);
  await expectFailure(world, ['login', 'admin'], 1, /^aws2fa: no MFA code given and no terminal to ask on: run aws2fa login admin 123456 with the code from your device$/m);
  await expectFailure(world, ['env', 'login', 'admin', '--renew'], 1, /^aws2fa: cannot renew admin: this shell holds no session of base with 5 minutes left; run aws2fa env login admin$/m);
  await expectFailure(world, ['env', 'login', 'admin', ALICE.code, '--renew'], 2, /^aws2fa: --renew takes no CODE/);
  await expectFailure(world, ['login', 'loop', ALICE.code], 1, /^aws2fa: profile loop: source_profile makes a cycle/);
});

Env.run();
