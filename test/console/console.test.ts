import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import type { World } from '../helpers/world.js';
import { actions, exportsOf, makeRolesWorld, OTHER_ACCOUNT, ROLE_ARNS, ROLES_CONFIG } from '../roles/world.js';
import { filesState, follow, linesOf, parseLoginUrl, runConsole } from './world.js';

// aws2fa console: the session of a role or a plain profile, signed in at the federation endpoint, the URL printed
// (stdout not a terminal). Every run leaves both files as they were.
interface Context {
  world: World;
  before: Awaited<ReturnType<typeof filesState>>;
}
const Console = suite<Context>('console: a sign-in URL for the profile session');

Console.before.each(async (context) => {
  context.world = await makeRolesWorld();
  context.before = await filesState(context.world);
});
Console.after.each(async (context) => {
  assert.equal(await filesState(context.world), context.before, 'no file written');
  await context.world.remove();
});

const ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
const SUMMARY = /^Sign-in URL for the AWS console as (\S+) \((.+)\), to use within 15 minutes; the console session lasts until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \((\w+) left\)\.$/;

// The URL printed: the fake's federation endpoint, login with the token it handed out, and where it leads.
async function checkUrl(world: World, stdout: string, destination: string): Promise<void> {
  const lines = linesOf(stdout);
  assert.is(lines.length, 1, `the URL alone on stdout: ${stdout}`);
  const { url, params } = parseLoginUrl(lines[0]!);
  assert.is(`${url.origin}${url.pathname}`, `${world.fake.url}/federation`);
  assert.equal(Object.keys(params), ['Action', 'Issuer', 'Destination', 'SigninToken']);
  assert.equal([params.Action, params.Issuer, params.Destination], ['login', 'aws2fa', destination]);
  assert.is(params.SigninToken, world.fake.signin.tokens.at(-1));
  assert.equal(await follow(lines[0]!), { status: 302, location: destination }, 'the endpoint signs it in and sends it to the console');
}

Console('a role with a code: root session, the role assumed with it, getSigninToken without SessionDuration; the URL alone on stdout, to the console of the role profile region', async ({ world }) => {
  const result = await runConsole(world, ['console', 'admin', ALICE.code]);
  assert.is(result.status, 0, result.stderr);
  assert.equal(actions(world), ['GetSessionToken', 'AssumeRole']);
  const [root] = world.fake.issued;
  const [role] = world.fake.assumed;
  assert.equal([world.fake.requests[1]!.accessKeyId, world.fake.requests[1]!.params.RoleArn], [root!.accessKeyId, ROLE_ARNS.admin]);
  const [signin] = world.fake.signin.requests;
  assert.equal([world.fake.signin.requests.length, signin!.action, signin!.status, signin!.session, signin!.params.SessionDuration], [1, 'getSigninToken', 200, role, undefined]);
  await checkUrl(world, result.stdout, 'https://eu-central-1.console.aws.amazon.com/console/home?region=eu-central-1');
  const summary = SUMMARY.exec(result.stderr.trimEnd());
  assert.ok(summary, result.stderr);
  assert.equal([summary[1], summary[2]], ['admin', 'role, via base']);
  assert.match(summary[3]!, /^(59m|1h00m)$/);
});

Console('a role asked for more than 1 h: assumed with the long-term keys and the code, and the console session asks for as long (SessionDuration)', async ({ world }) => {
  const fromProfile = await runConsole(world, ['console', 'long', ALICE.code]);
  assert.is(fromProfile.status, 0, fromProfile.stderr);
  const withOption = await runConsole(world, ['console', 'long', ALICE.code, '--duration', '4h']);
  assert.is(withOption.status, 0, withOption.stderr);
  assert.equal(actions(world), ['AssumeRole', 'AssumeRole'], 'no root session');
  for (const request of world.fake.requests) assert.equal([request.accessKeyId, request.params.TokenCode, request.params.SerialNumber], [ALICE.accessKeyId, ALICE.code, ALICE.mfaSerial]);
  assert.equal(world.fake.signin.requests.map((request) => [request.params.SessionDuration, request.session, request.status]), [
    ['7200', world.fake.assumed[0], 200],
    ['14400', world.fake.assumed[1], 200],
  ]);
  assert.match(withOption.stderr, /as long \(role, via base's keys\)/);
  assert.match(withOption.stderr, /\((3h59m|4h00m) left\)\.\n$/);
});

Console('a role with the root in a file-mode session: no code, the role assumed with that session; console writes nothing', async (context) => {
  const { world } = context;
  const login = await runConsole(world, ['login', 'base', ALICE.code]);
  assert.is(login.status, 0, login.stderr);
  context.before = await filesState(world);
  const result = await runConsole(world, ['console', 'readonly']);
  assert.is(result.status, 0, result.stderr);
  assert.equal(actions(world), ['GetSessionToken', 'AssumeRole']);
  assert.is(world.fake.requests[1]!.accessKeyId, world.fake.issued[0]!.accessKeyId);
  assert.is(world.fake.signin.requests[0]!.session, world.fake.assumed[0]);
  // readonly names no region: the default one.
  await checkUrl(world, result.stdout, 'https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1');
});

Console("this shell's env session of the role (5 minutes left): no STS request at all; another profile's, a nearly expired one, or a CODE: not used", async ({ world }) => {
  const login = await runConsole(world, ['env', 'login', 'admin', ALICE.code, '--shell', 'bash']);
  assert.is(login.status, 0, login.stderr);
  const env = exportsOf(login.stdout);
  const [role] = world.fake.assumed;
  const result = await runConsole(world, ['console', 'admin'], { env });
  assert.is(result.status, 0, result.stderr);
  assert.equal(actions(world), ['GetSessionToken', 'AssumeRole'], 'nothing more than env login asked');
  assert.is(world.fake.signin.requests[0]!.session, role);
  assert.is(world.fake.signin.requests[0]!.params.SessionDuration, undefined);
  assert.match(result.stderr, /as admin \(role, this shell's session\)/);
  await checkUrl(world, result.stdout, 'https://eu-central-1.console.aws.amazon.com/console/home?region=eu-central-1');

  // Another profile's session, or one with under 5 minutes: a code is needed, and there is none.
  const noCode = 'aws2fa: no MFA code given and no terminal to ask on: run aws2fa console readonly 123456 with the code from your device\n';
  const other = await runConsole(world, ['console', 'readonly'], { env });
  assert.equal([other.status, other.stdout, other.stderr], [1, '', noCode]);
  const near = { ...env, AWS2FA_EXPIRES: String(Math.floor(Date.now() / 1000) + 200) };
  const late = await runConsole(world, ['console', 'admin'], { env: near });
  assert.equal([late.status, late.stdout, late.stderr], [1, '', noCode.replace('readonly', 'admin')]);
  // Keys that are no session key are not taken either.
  const odd = await runConsole(world, ['console', 'admin'], { env: { ...env, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' } });
  assert.equal([odd.status, odd.stdout], [1, '']);
  // A CODE asks for a new session.
  const fresh = await runConsole(world, ['console', 'admin', ALICE.code], { env });
  assert.is(fresh.status, 0, fresh.stderr);
  assert.equal(actions(world), ['GetSessionToken', 'AssumeRole', 'GetSessionToken', 'AssumeRole']);
  assert.is(world.fake.signin.requests.filter((request) => request.action === 'getSigninToken')[1]!.session, world.fake.assumed[1]);
});

Console('a plain profile: GetFederationToken with its long-term keys, named after the IAM user, allowed all, 1 h; no code and no SessionDuration', async ({ world }) => {
  const result = await runConsole(world, ['console', 'base']);
  assert.is(result.status, 0, result.stderr);
  assert.equal(actions(world), ['GetCallerIdentity', 'GetFederationToken']);
  const call = world.fake.requests[1]!;
  assert.equal([call.accessKeyId, call.params.Name, call.params.Policy, call.params.DurationSeconds], [ALICE.accessKeyId, 'alice', ALLOW_ALL, '3600']);
  assert.ok(call.signatureValid);
  const [federated] = world.fake.signin.federated;
  assert.equal([world.fake.signin.requests[0]!.session, world.fake.signin.requests[0]!.params.SessionDuration], [federated, undefined]);
  assert.match(result.stderr, /as base \(federated user alice\)/);
  await checkUrl(world, result.stdout, 'https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1');

  const longer = await runConsole(world, ['console', 'base', '--duration', '2h']);
  assert.is(longer.status, 0, longer.stderr);
  assert.is(world.fake.requests.at(-1)!.params.DurationSeconds, '7200');

  // A code is of no use here: said, and not spent.
  const withCode = await runConsole(world, ['console', 'base', ALICE.code]);
  assert.is(withCode.status, 0, withCode.stderr);
  assert.is(linesOf(withCode.stderr)[0], 'aws2fa: note: base has long-term keys: its console session comes from GetFederationToken, which takes no MFA code; the code was not used');
  assert.not.ok(actions(world).includes('GetSessionToken'));
});

Console('a plain profile: the federated user name is the IAM user name cut to 32 characters', async ({ world }) => {
  const long = 'a-very-long-iam-user-name.with.dots@example-42';
  world.fake.addUser({ ...ALICE, userName: long });
  const result = await runConsole(world, ['console', 'base']);
  assert.is(result.status, 0, result.stderr);
  assert.is(world.fake.requests[1]!.params.Name, long.slice(0, 32));
});

Console('a plain profile whose policies deny GetFederationToken (MFA required): one line naming a role profile and the account sign-in page; no sign-in', async ({ world }) => {
  world.fake.signin.denyFederationTo(ALICE.accessKeyId);
  const result = await runConsole(world, ['console', 'base']);
  assert.equal([result.status, result.stdout], [1, '']);
  assert.equal(linesOf(result.stderr), [
    'aws2fa: AWS refused GetFederationToken to arn:aws:iam::123456789012:user/alice (profile base): its policies deny it (policies that require MFA do), ' +
      'so its keys cannot open the console: use a role profile (role_arn, source_profile = base) with aws2fa console ROLE, or sign in with password and MFA at https://123456789012.signin.aws.amazon.com/console',
  ]);
  assert.equal(world.fake.signin.requests, []);
});

Console('a role AWS does not let you assume: its one line, exit 1, no sign-in', async (context) => {
  const { world } = context;
  await world.writeConfig(ROLES_CONFIG.replace(`role_arn = ${ROLE_ARNS.admin}`, `role_arn = arn:aws:iam::${OTHER_ACCOUNT}:role/gone`));
  context.before = await filesState(world);
  const result = await runConsole(world, ['console', 'admin', ALICE.code]);
  assert.equal([result.status, result.stdout], [1, '']);
  assert.equal(linesOf(result.stderr), [
    `aws2fa: AWS refused to let you assume role arn:aws:iam::${OTHER_ACCOUNT}:role/gone (profile admin): check the role's trust policy (it must trust your user or account, and may require MFA) and the profile's external_id`,
  ]);
  assert.equal(world.fake.signin.requests, []);
});

Console('the sign-in endpoint refuses the session: one line naming it and the profile, exit 1, nothing on stdout', async ({ world }) => {
  world.fake.signin.refuseNext(400);
  const result = await runConsole(world, ['console', 'admin', ALICE.code]);
  assert.equal([result.status, result.stdout], [1, '']);
  assert.equal(linesOf(result.stderr), [
    `aws2fa: the AWS sign-in endpoint at ${world.fake.url} refused the session of admin (HTTP 400 Bad Request): run aws2fa console admin again for a new session, and check AWS_ENDPOINT_URL`,
  ]);
});

Console('--path: a page of the console in the region; another host or a scheme is a usage error before any request', async ({ world }) => {
  const s3 = await runConsole(world, ['console', 'admin', ALICE.code, '--path', 's3/home']);
  assert.is(s3.status, 0, s3.stderr);
  await checkUrl(world, s3.stdout, 'https://eu-central-1.console.aws.amazon.com/s3/home?region=eu-central-1');
  const ec2 = await runConsole(world, ['console', 'admin', ALICE.code, '--path', '/ec2/home#Instances:']);
  assert.is(ec2.status, 0, ec2.stderr);
  await checkUrl(world, ec2.stdout, 'https://eu-central-1.console.aws.amazon.com/ec2/home?region=eu-central-1#Instances:');
  const requests = world.fake.requests.length;
  for (const path of ['https://evil.example/x', 'javascript:alert(1)', '../../evil', 's3/home\u001b[31m', 'a b']) {
    const bad = await runConsole(world, ['console', 'admin', ALICE.code, '--path', path]);
    assert.equal([bad.status, bad.stdout, linesOf(bad.stderr).length], [2, '', 1], path);
    assert.match(bad.stderr, /^aws2fa: --path .* is not a page of the console like s3\/home/);
    assert.not.ok(bad.stderr.includes('\u001b'));
  }
  assert.is(world.fake.requests.length, requests, 'no request for a bad --path');
});

Console('--region picks the console region and its partition: China and GovCloud consoles', async (context) => {
  const { world } = context;
  for (const [region, destination] of [
    ['cn-north-1', 'https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1'],
    ['us-gov-west-1', 'https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1'],
    ['eu-west-1', 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1'],
  ] as const) {
    const result = await runConsole(world, ['console', 'admin', ALICE.code, '--region', region]);
    assert.is(result.status, 0, result.stderr);
    await checkUrl(world, result.stdout, destination);
    assert.is(world.fake.requests.at(-1)!.region, region, 'STS signed for the region');
  }
});

Console.run();
