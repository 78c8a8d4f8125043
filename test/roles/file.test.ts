// File mode for a role profile: login ROLE logs the root in (or keeps its session), proves each hop once, writes only
// the root's session; the real AWS SDK for JavaScript v3 then assumes the role by itself from source_profile.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import { cleanEnv } from '../helpers/cli.js';
import { finished } from '../helpers/child.js';
import { scriptedTerminal, type World } from '../helpers/world.js';
import { actions, makeRolesWorld, ROLE_ARNS, ROLES_CONFIG, ROLES_CREDENTIALS } from './world.js';

const SDK_ROLE = fileURLToPath(new URL('../fixtures/sdk-role.mjs', import.meta.url));

const File = suite<{ world: World }>('roles/file: login ROLE and logout ROLE');

File.before.each(async (context) => {
  context.world = await makeRolesWorld();
});
File.after.each(async (context) => {
  await context.world.remove();
});

async function sdkAs(world: World, profile: string): Promise<{ arn: string; accessKeyId: string }> {
  const child = spawn(process.execPath, [SDK_ROLE, profile], {
    env: cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = await finished(child);
  assert.is(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

File('login ROLE writes the root session only, after proving the role; the JS SDK v3 then assumes it from that session', async ({ world }) => {
  const config = await world.read(world.config);
  const result = await world.aws2fa(['login', 'admin', ALICE.code]);
  assert.is(result.status, 0, result.stderr);
  assert.equal(actions(world), ['GetSessionToken', 'AssumeRole']);
  assert.is(world.fake.requests[1]!.params.DurationSeconds, '900');
  const root = world.fake.issued[0]!;
  const credentials = await world.read(world.credentials);
  assert.ok(credentials.includes(`[base]\naws_access_key_id = ${root.accessKeyId}\n`), credentials);
  assert.ok(credentials.includes(`[base::source-profile]\naws_access_key_id = ${ALICE.accessKeyId}\n`));
  assert.not.match(credentials, /admin/, 'no role keys written');
  assert.not.ok(credentials.includes(world.fake.assumed[0]!.accessKeyId));
  assert.is(await world.read(world.config), config);
  assert.match(result.stdout, /^Logged in base until .*\nadmin is a role profile: arn:aws:iam::210987654321:role\/admin was assumed with base's MFA session to check that it works\.\n/);
  assert.match(result.stdout, /aws sts get-caller-identity --profile admin\n/);
  assert.is(result.stderr, '');

  world.fake.requests.length = 0;
  const sdk = await sdkAs(world, 'admin');
  assert.equal(actions(world), ['AssumeRole', 'GetCallerIdentity']);
  assert.is(world.fake.requests[0]!.accessKeyId, root.accessKeyId, "the SDK signs AssumeRole with the root's MFA session");
  assert.is(world.fake.requests[0]!.params.RoleArn, ROLE_ARNS.admin);
  assert.is(sdk.arn, `arn:aws:sts::210987654321:assumed-role/admin/${world.fake.requests[0]!.params.RoleSessionName}`);
});

File('a chain of two hops: aws2fa ROLE CODE (the short form) proves both, and the SDK assumes both from the root session', async ({ world }) => {
  const result = await world.aws2fa(['deep', ALICE.code]);
  assert.is(result.status, 0, result.stderr);
  assert.equal(actions(world), ['GetSessionToken', 'AssumeRole', 'AssumeRole']);
  assert.match(result.stdout, /deep is a role profile: arn:aws:iam::210987654321:role\/admin then arn:aws:iam::210987654321:role\/deep were assumed/);
  world.fake.requests.length = 0;
  const sdk = await sdkAs(world, 'deep');
  assert.equal(actions(world), ['AssumeRole', 'AssumeRole', 'GetCallerIdentity']);
  assert.is(world.fake.requests[0]!.accessKeyId, world.fake.issued[0]!.accessKeyId);
  assert.match(sdk.arn, /^arn:aws:sts::210987654321:assumed-role\/deep\//);
});

File('the SDKs ignore keys in [ROLE] of the credentials file while the config gives role_arn', async ({ world }) => {
  assert.is((await world.aws2fa(['login', 'admin', ALICE.code])).status, 0);
  const credentials = await world.read(world.credentials);
  await world.writeCredentials(`${credentials}\n[admin]\naws_access_key_id = AKIASTALEROLEKEY0001\naws_secret_access_key = stale\n`);
  world.fake.requests.length = 0;
  const sdk = await sdkAs(world, 'admin');
  assert.match(sdk.arn, /assumed-role\/admin\//);
  assert.is(world.fake.requests[0]!.accessKeyId, world.fake.issued[0]!.accessKeyId);
});

File("login ROLE while the root is logged in keeps the root's session: no code, nothing written; a second role too", async ({ world }) => {
  assert.is((await world.aws2fa(['login', 'base', ALICE.code])).status, 0);
  const before = await world.snapshot();
  world.fake.requests.length = 0;
  for (const role of ['admin', 'deep', 'partner']) {
    const result = await world.aws2fa(['login', role]);
    assert.is(result.status, 0, result.stderr);
    assert.match(result.stdout, /^base is already logged in \(no code needed\) until /);
  }
  assert.not.ok(actions(world).includes('GetSessionToken'));
  assert.ok(world.fake.requests.every((request) => request.action !== 'AssumeRole' || request.accessKeyId !== ALICE.accessKeyId));
  assert.equal(await world.snapshot(), before);
});

File('a refused role leaves both files byte-identical', async ({ world }) => {
  await world.writeConfig(`${ROLES_CONFIG}\n[profile stranger]\nrole_arn = arn:aws:iam::210987654321:role/stranger\nsource_profile = base\n`);
  const before = await world.snapshot();
  const result = await world.aws2fa(['login', 'stranger', ALICE.code]);
  assert.is(result.status, 1);
  assert.is(result.stdout, '');
  assert.match(result.stderr, /^aws2fa: AWS refused to let you assume role arn:aws:iam::210987654321:role\/stranger \(profile stranger\)/);
  assert.is(result.stderr.split('\n').length, 2);
  assert.equal(await world.snapshot(), before);
});

File('a refused role with the device asked on the terminal: the device is not saved either', async ({ world }) => {
  await world.writeConfig(`${ROLES_CONFIG.replace(`mfa_serial = ${ALICE.mfaSerial}\n`, '')}\n[profile stranger]\nrole_arn = arn:aws:iam::210987654321:role/stranger\nsource_profile = base\n`);
  const before = await world.snapshot();
  const result = await world.aws2fa(['login', 'stranger'], { terminal: scriptedTerminal([ALICE.mfaSerial, ALICE.code]) });
  assert.is(result.status, 1);
  assert.equal(await world.snapshot(), before);
  const admin = await world.aws2fa(['login', 'admin'], { terminal: scriptedTerminal([ALICE.mfaSerial, ALICE.code]) });
  assert.is(admin.status, 0, admin.stderr);
  assert.match(await world.read(world.config), /^\[profile base\]\nregion = us-east-1\nmfa_serial = arn:aws:iam::123456789012:mfa\/alice\n/);
});

File('mfa_serial in the role profile: says the AWS CLI and SDKs will ask for a code, and how to change it', async ({ world }) => {
  await world.writeConfig(ROLES_CONFIG.replace('source_profile = base\nregion = eu-central-1\n', `source_profile = base\nregion = eu-central-1\nmfa_serial = ${ALICE.mfaSerial}\n`));
  const result = await world.aws2fa(['login', 'admin', ALICE.code]);
  assert.is(result.status, 0, result.stderr);
  assert.is(
    result.stderr,
    `aws2fa: note: admin names mfa_serial, so the AWS CLI and the SDKs will ask for a code again whenever they assume that role: ` +
      `move mfa_serial to [profile base] in ${world.config} (or remove it from the role profile) to use base's MFA session instead\n`,
  );
});

File('--duration for a role in file mode says it has no effect; duration_seconds above 1 h is flagged', async ({ world }) => {
  const result = await world.aws2fa(['login', 'long', ALICE.code, '--duration', '7200']);
  assert.is(result.status, 0, result.stderr);
  assert.equal(actions(world), ['GetSessionToken', 'AssumeRole'], 'the proof is made from the root session, as the SDKs will');
  assert.is(
    result.stderr,
    `aws2fa: note: duration_seconds = 7200 in profile long: assumed from base's session, AWS allows at most 3600; set duration_seconds = 3600 or less, or the AWS CLI and the SDKs will fail to assume it\n` +
      `aws2fa: note: --duration has no effect here: the root's session lasts 12 h, and the AWS CLI and the SDKs assume long for duration_seconds (else 1 h)\n`,
  );
});

File('logout ROLE logs the root out and says so', async ({ world }) => {
  assert.is((await world.aws2fa(['login', 'admin', ALICE.code])).status, 0);
  const result = await world.aws2fa(['logout', 'admin']);
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stdout, 'admin is a role profile of base: logged out base: its long-term keys are back in [base].\n');
  assert.is(await world.read(world.credentials), ROLES_CREDENTIALS);
  const again = await world.aws2fa(['logout', 'admin']);
  assert.is(again.stdout, 'admin is a role profile of base: base is not logged in (it has its long-term keys); nothing changed.\n');
});

File.run();
