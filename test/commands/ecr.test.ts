import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeFakeDocker, pathWith, type DockerCall, type FakeDocker } from '../helpers/fake-docker.js';
import { ALICE } from '../helpers/home.js';
import type { CustomReply } from '../helpers/aws-endpoint.js';
import type { RunResult } from '../helpers/cli.js';
import { makeWorld, type World } from '../helpers/world.js';

const Ecr = suite<{ world: World; docker: FakeDocker }>('commands/ecr: --ecr logs docker in and out of the account registries');

Ecr.before.each(async (context) => {
  context.world = await makeWorld();
  context.docker = await makeFakeDocker();
});
Ecr.after.each(async (context) => {
  await context.world.remove();
  await context.docker.remove();
});

const registry = (region: string) => `https://123456789012.dkr.ecr.${region}.amazonaws.com`;
const loginArgv = (region: string) => ['login', '--username', 'AWS', '--password-stdin', '--', registry(region)];
const ecrCalls = (world: World) => world.fake.requests.filter((r) => r.service === 'ecr');
const byRegistry = (calls: DockerCall[]) => [...calls].sort((a, b) => (a.argv.at(-1) ?? '').localeCompare(b.argv.at(-1) ?? ''));

function assertNoLeak(passwords: string[], result: RunResult, calls: DockerCall[]): void {
  assert.ok(passwords.length > 0, 'ECR handed out passwords');
  for (const password of passwords) {
    assert.not.ok(result.stdout.includes(password), 'password on stdout');
    assert.not.ok(result.stderr.includes(password), 'password on stderr');
    for (const call of calls) {
      assert.not.ok(call.argv.some((arg) => arg.includes(password)), 'password in argv');
      assert.not.ok(call.env.includes(password), 'password in the environment');
    }
  }
}

Ecr('--ecr runs docker login for the profile region with the password on stdin only, ECR signed by the session', async ({ world, docker }) => {
  const result = await world.aws2fa(['login', 'prod', '123456', '--ecr'], { env: { PATH: pathWith(docker.bin) } });
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stderr, 'ECR eu-west-1: logged in to 123456789012.dkr.ecr.eu-west-1.amazonaws.com\n');
  assert.match(result.stdout, /^Logged in prod until .*\nLong-term keys are kept in \[prod::source-profile\].*\n$/);
  assert.not.match(result.stdout, /Login Succeeded|WARNING/, 'docker output stays away from our stdout');

  const calls = await docker.calls();
  assert.equal(calls.map((call) => call.argv), [loginArgv('eu-west-1')]);
  assert.equal(calls.map((call) => call.stdin), [world.fake.ecrPasswords[0]]);
  assertNoLeak(world.fake.ecrPasswords, result, calls);

  const session = world.fake.issued[0]!;
  const [request] = ecrCalls(world);
  assert.equal(
    [request!.action, request!.region, request!.accessKeyId, request!.sessionToken, request!.signatureValid],
    ['GetAuthorizationToken', 'eu-west-1', session.accessKeyId, session.sessionToken, true],
  );
  assert.ok((await world.read(world.credentials)).includes(session.sessionToken));
});

Ecr('--ecr-region adds regions, each once, to the profile region; docker runs one call at a time', async ({ world, docker }) => {
  const argv = ['login', 'prod', '123456', '--ecr', '--ecr-region', 'eu-central-1', '--ecr-region', 'us-west-2', '--ecr-region', 'eu-central-1'];
  const result = await world.aws2fa(argv, { env: { PATH: pathWith(docker.bin) } });
  assert.is(result.status, 0, result.stderr);
  assert.equal(ecrCalls(world).map((r) => r.region).sort(), ['eu-central-1', 'eu-west-1', 'us-west-2']);
  const calls = byRegistry(await docker.calls());
  assert.equal(calls.map((call) => call.argv), [loginArgv('eu-central-1'), loginArgv('eu-west-1'), loginArgv('us-west-2')]);
  assert.equal(calls.map((call) => call.stdin).sort(), [...world.fake.ecrPasswords].sort(), 'each region its own password');
  assert.not.ok(await docker.overlapped(), 'docker rewrites one config file per login: never two at once');
  assertNoLeak(world.fake.ecrPasswords, result, calls);
  for (const region of ['eu-west-1', 'eu-central-1', 'us-west-2']) {
    assert.ok(result.stderr.includes(`ECR ${region}: logged in to 123456789012.dkr.ecr.${region}.amazonaws.com\n`), region);
  }
});

Ecr('--ecr-region alone also logs in to the profile region', async ({ world, docker }) => {
  const result = await world.aws2fa(['login', 'prod', '123456', '--ecr-region', 'us-east-2'], { env: { PATH: pathWith(docker.bin) } });
  assert.is(result.status, 0, result.stderr);
  assert.equal(byRegistry(await docker.calls()).map((call) => call.argv), [loginArgv('eu-west-1'), loginArgv('us-east-2')]);
});

Ecr('an ECR failure in one region is reported with its reason; the others log in, the session stands, exit 3', async ({ world, docker }) => {
  world.fake.injectFault('500', { service: 'ecr', region: 'us-west-2' });
  const argv = ['login', 'prod', '123456', '--ecr', '--ecr-region', 'us-west-2', '--ecr-region', 'eu-central-1'];
  const result = await world.aws2fa(argv, { env: { PATH: pathWith(docker.bin) } });
  assert.is(result.status, 3);
  assert.match(result.stderr, /^ECR us-west-2: failed: ECR at http:\/\/127\.0\.0\.1:\d+ failed \(HTTP 500\): try again in a moment$/m);
  assert.match(result.stderr, /^aws2fa: docker login failed for ECR in us-west-2; the MFA session itself stands$/m);
  assert.ok(result.stderr.includes(`ECR eu-west-1: logged in to`));
  assert.ok(result.stderr.includes(`ECR eu-central-1: logged in to`));
  assert.equal(byRegistry(await docker.calls()).map((call) => call.argv), [loginArgv('eu-central-1'), loginArgv('eu-west-1')]);
  assert.ok((await world.read(world.credentials)).includes(world.fake.issued[0]!.sessionToken), 'the MFA session is written');
});

Ecr('a docker failure in one region is reported with docker reason, password redacted; exit 3', async ({ world }) => {
  const failing = await makeFakeDocker({ failOn: 'us-west-2' });
  try {
    const argv = ['login', 'prod', '123456', '--ecr', '--ecr-region', 'us-west-2', '--ecr-region', 'eu-central-1'];
    const result = await world.aws2fa(argv, { env: { PATH: pathWith(failing.bin) } });
    assert.is(result.status, 3);
    assert.match(
      result.stderr,
      /^ECR us-west-2: failed: docker login exited with status 1: Error response from daemon: login attempt to https:\/\/123456789012\.dkr\.ecr\.us-west-2\.amazonaws\.com failed with status: 400 Bad Request \(got \*\*\*\)$/m,
    );
    assert.ok(result.stderr.includes(`ECR eu-west-1: logged in to`));
    assert.ok(result.stderr.includes(`ECR eu-central-1: logged in to`));
    assertNoLeak(world.fake.ecrPasswords, result, await failing.calls());
    assert.ok((await world.read(world.credentials)).includes(world.fake.issued[0]!.sessionToken));
  } finally {
    await failing.remove();
  }
});

Ecr('logout --ecr restores the keys, then docker logout per registry, account from GetCallerIdentity with the long-term key', async ({ world, docker }) => {
  const before = await world.snapshot();
  assert.is((await world.aws2fa(['login', 'prod', '123456'])).status, 0);
  const result = await world.aws2fa(['logout', 'prod', '--ecr', '--ecr-region', 'us-west-2'], { env: { PATH: pathWith(docker.bin) } });
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stdout, 'Logged out prod: its long-term keys are back in [prod].\n');
  assert.is(
    result.stderr,
    'ECR eu-west-1: logged out of 123456789012.dkr.ecr.eu-west-1.amazonaws.com\nECR us-west-2: logged out of 123456789012.dkr.ecr.us-west-2.amazonaws.com\n',
  );
  assert.equal(await world.snapshot(), before);
  assert.equal(byRegistry(await docker.calls()).map((call) => call.argv), [['logout', '--', registry('eu-west-1')], ['logout', '--', registry('us-west-2')]]);
  const identity = world.fake.requests.filter((r) => r.action === 'GetCallerIdentity');
  assert.equal(identity.map((r) => [r.accessKeyId, r.sessionToken, r.signatureValid]), [[ALICE.accessKeyId, undefined, true]]);
});

Ecr('logout --ecr of a registry the client has no login for is not an error', async ({ world }) => {
  const podman = await makeFakeDocker({ name: 'podman', notLoggedIn: true });
  try {
    const result = await world.aws2fa(['logout', 'prod', '--ecr', '--docker-command', 'podman'], { env: { PATH: pathWith(podman.bin) } });
    assert.is(result.status, 0, result.stderr);
    assert.is(result.stderr, 'ECR eu-west-1: was not logged in to 123456789012.dkr.ecr.eu-west-1.amazonaws.com\n');
  } finally {
    await podman.remove();
  }
});

Ecr('logout --ecr without docker still restores the keys, names docker, exits 3', async ({ world }) => {
  const before = await world.snapshot();
  assert.is((await world.aws2fa(['login', 'prod', '123456'])).status, 0);
  const empty = await mkdtemp(join(tmpdir(), 'aws2fa-empty-'));
  try {
    const result = await world.aws2fa(['logout', 'prod', '--ecr'], { env: { PATH: empty } });
    assert.is(result.status, 3);
    assert.is(result.stdout, 'Logged out prod: its long-term keys are back in [prod].\n');
    assert.match(result.stderr, /^aws2fa: docker not found: install it or pass --docker-command podman \/ set AWS2FA_DOCKER/);
    assert.equal(await world.snapshot(), before);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

Ecr('AWS2FA_DOCKER and --docker-command name another client; the option wins', async ({ world }) => {
  const podman = await makeFakeDocker({ name: 'podman' });
  const finch = await makeFakeDocker({ name: 'finch' });
  try {
    const PATH = pathWith(podman.bin, finch.bin);
    const viaEnv = await world.aws2fa(['login', 'prod', '123456', '--ecr'], { env: { PATH, AWS2FA_DOCKER: 'podman' } });
    assert.is(viaEnv.status, 0, viaEnv.stderr);
    assert.equal((await podman.calls()).map((call) => call.argv), [loginArgv('eu-west-1')]);
    const viaOption = await world.aws2fa(['login', 'prod', '123456', '--ecr', '--docker-command', 'finch'], { env: { PATH, AWS2FA_DOCKER: 'podman' } });
    assert.is(viaOption.status, 0, viaOption.stderr);
    assert.equal((await finch.calls()).map((call) => call.argv), [loginArgv('eu-west-1')]);
    assert.is((await podman.calls()).length, 1);
    const byPath = await world.aws2fa(['login', 'prod', '123456', '--ecr', '--docker-command', join(podman.bin, 'podman')], { env: { PATH: '/usr/bin:/bin' } });
    assert.is(byPath.status, 0, byPath.stderr);
    assert.is((await podman.calls()).length, 2);
  } finally {
    await podman.remove();
    await finch.remove();
  }
});

Ecr('a missing client is one clear line naming it, before the MFA code is spent; nothing changes', async ({ world }) => {
  const before = await world.snapshot();
  const empty = await mkdtemp(join(tmpdir(), 'aws2fa-empty-'));
  try {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [[], {}, /^aws2fa: docker not found: install it or pass --docker-command podman \/ set AWS2FA_DOCKER to a docker-compatible client\n$/],
      [[], { AWS2FA_DOCKER: 'podman' }, /^aws2fa: podman \(from AWS2FA_DOCKER\) not found: /],
      [['--docker-command', 'nerdctl'], {}, /^aws2fa: nerdctl \(from --docker-command\) not found: /],
      [['--docker-command', 'podman --remote'], {}, /not found: .*; it names one program, arguments are not supported\n$/],
    ];
    for (const [extra, env, expected] of cases) {
      const result = await world.aws2fa(['login', 'prod', '123456', '--ecr', ...extra], { env: { PATH: empty, ...env } });
      assert.is(result.status, 1, result.stderr);
      assert.is(result.stdout, '');
      assert.match(result.stderr, expected);
    }
    assert.is(world.fake.requests.length, 0, 'no STS or ECR call');
    assert.equal(await world.snapshot(), before);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

Ecr('a malformed --ecr-region is a usage error before any request', async ({ world, docker }) => {
  const before = await world.snapshot();
  for (const bad of ['eu west 1', 'EU-WEST-1', 'eu-west', '--', '']) {
    const result = await world.aws2fa(['login', 'prod', '123456', '--ecr-region', bad], { env: { PATH: pathWith(docker.bin) } });
    assert.is(result.status, 2, bad);
    assert.is(result.stdout, '');
    const expected = bad === '--' ? /^aws2fa: --ecr-region needs a value / : /^aws2fa: Invalid value for --ecr-region: ".*" is not a region name like eu-west-1 /;
    assert.match(result.stderr, expected, bad);
  }
  const logout = await world.aws2fa(['logout', 'prod', '--ecr-region', 'nowhere'], { env: { PATH: pathWith(docker.bin) } });
  assert.is(logout.status, 2);
  assert.match(logout.stderr, /^aws2fa: Invalid value for --ecr-region: "nowhere" is not a region name like eu-west-1 \(see aws2fa logout --help\)\n$/);
  assert.is(world.fake.requests.length, 0);
  assert.is((await docker.calls()).length, 0);
  assert.equal(await world.snapshot(), before);
});

Ecr('AWS_ENDPOINT_URL_ECR is honoured for ECR, and only for ECR', async ({ world, docker }) => {
  const result = await world.aws2fa(['login', 'prod', '123456', '--ecr'], {
    env: { PATH: pathWith(docker.bin), AWS_ENDPOINT_URL_ECR: `${world.fake.url}/ecr-vpc-endpoint` },
  });
  assert.is(result.status, 0, result.stderr);
  assert.equal(
    world.fake.requests.map((r) => [r.service, r.path, r.signatureValid]),
    [
      ['sts', '/', true],
      ['ecr', '/ecr-vpc-endpoint/', true],
    ],
  );
});

Ecr('without --ecr there is no ECR call and no docker', async ({ world, docker }) => {
  const result = await world.aws2fa(['login', 'prod', '123456', '--docker-command', 'podman'], { env: { PATH: pathWith(docker.bin) } });
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stderr, '');
  assert.is(ecrCalls(world).length, 0);
  assert.is((await docker.calls()).length, 0);
});

Ecr('--debug logs each ECR try and never the password', async ({ world, docker }) => {
  const result = await world.aws2fa(['login', 'prod', '123456', '--ecr', '--debug'], { env: { PATH: pathWith(docker.bin) } });
  assert.is(result.status, 0, result.stderr);
  assert.match(result.stderr, /aws2fa debug \+\d+ms: STS try 1\/2: POST http:\/\/127\.0\.0\.1:\d+\/ → HTTP 200 in \d+ ms\n/);
  assert.match(result.stderr, /aws2fa debug \+\d+ms: ECR try 1\/2: POST http:\/\/127\.0\.0\.1:\d+\/ → HTTP 200 in \d+ ms\n/);
  for (const password of world.fake.ecrPasswords) assert.not.ok(result.stderr.includes(password));
  const quiet = await world.aws2fa(['login', 'prod', '123456']);
  assert.not.match(quiet.stderr, /aws2fa debug/, 'off without --debug');
});

// ECR's answer as the test writes it: the registry address is what goes to docker's command line.
function ecrAnswer(proxyEndpoint: string, username = 'AWS'): CustomReply {
  return (response) => {
    const authorizationToken = Buffer.from(`${username}:pw-from-the-test`).toString('base64');
    const body = JSON.stringify({ authorizationData: [{ authorizationToken, expiresAt: Math.floor(Date.now() / 1000) + 3600, proxyEndpoint }] });
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };
}

// Issue 11: podman wrote the file an ECR answer of `--authfile=/some/path` named.
Ecr('a registry address from ECR that is not https://ACCOUNT.dkr.ecr.REGION.<AWS domain> is refused and never reaches docker', async ({ world, docker }) => {
  const hostile: Record<string, string> = {
    'eu-west-1': '--authfile=/tmp/planted',
    'eu-central-1': 'https://123456789012.dkr.ecr.eu-central-1.amazonaws.com.evil.example',
    'us-west-2': 'https://123456789012.dkr.ecr.us-west-2.amazonaws.com/--authfile=/tmp/planted',
    'us-east-2': 'http://123456789012.dkr.ecr.us-east-2.amazonaws.com',
    'ap-south-1': 'https://12345678901.dkr.ecr.ap-south-1.amazonaws.com',
    'sa-east-1': 'https://u:p@123456789012.dkr.ecr.sa-east-1.amazonaws.com',
    'ca-central-1': 'https://123456789012.dkr.ecr.ca-central-1.amazonaws.com:443',
    'me-south-1': 'https://123456789012.dkr.ecr.me-south-1.amazonaws.com\n--authfile=/tmp/planted',
    'af-south-1': 'https://123456789012.dkr.ecr.AF-SOUTH-1.amazonaws.com',
  };
  const regions = Object.keys(hostile);
  for (const region of regions) world.fake.injectReply(ecrAnswer(hostile[region]!), { service: 'ecr', region });
  const argv = ['login', 'prod', '123456', '--ecr', ...regions.slice(1).flatMap((region) => ['--ecr-region', region])];
  const result = await world.aws2fa(argv, { env: { PATH: pathWith(docker.bin) } });
  assert.is(result.status, 3, result.stderr);
  assert.equal(await docker.calls(), [], 'docker never ran');
  const lines = result.stderr.split('\n').slice(0, -1);
  for (const region of regions) {
    const refused = `ECR ${region}: failed: ECR at ${world.fake.url} answered with a registry that is not https://ACCOUNT.dkr.ecr.REGION. and an AWS domain; refusing it: check AWS_ENDPOINT_URL_ECR`;
    assert.ok(lines.includes(refused), `${region}: ${result.stderr}`);
  }
  assert.is(lines.at(-1), `aws2fa: docker login failed for ECR in ${regions.join(', ')}; the MFA session itself stands`);
  assert.is(lines.length, regions.length + 1, 'one line per region and one summary');
});

Ecr('a user name from ECR that is not a plain word is refused too: it is an argument of docker', async ({ world, docker }) => {
  world.fake.injectReply(ecrAnswer('https://123456789012.dkr.ecr.eu-west-1.amazonaws.com', '--authfile=/tmp/planted'), { service: 'ecr' });
  const result = await world.aws2fa(['login', 'prod', '123456', '--ecr'], { env: { PATH: pathWith(docker.bin) } });
  assert.is(result.status, 3, result.stderr);
  assert.ok(result.stderr.startsWith(`ECR eu-west-1: failed: ECR at ${world.fake.url} answered without a usable authorization token; try again\n`), result.stderr);
  assert.equal(await docker.calls(), []);
});

Ecr('registries of the other partitions are taken, and the address is passed after --', async ({ world, docker }) => {
  const good: Record<string, string> = {
    'eu-west-1': 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    'cn-north-1': 'https://123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
    'us-gov-west-1': 'https://123456789012.dkr.ecr.us-gov-west-1.amazonaws.com',
    'us-iso-east-1': 'https://123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov',
    'eusc-de-east-1': 'https://123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu',
  };
  const regions = Object.keys(good);
  for (const region of regions) world.fake.injectReply(ecrAnswer(good[region]!), { service: 'ecr', region });
  const argv = ['login', 'prod', '123456', '--ecr', ...regions.slice(1).flatMap((region) => ['--ecr-region', region])];
  const result = await world.aws2fa(argv, { env: { PATH: pathWith(docker.bin) } });
  assert.is(result.status, 0, result.stderr);
  const calls = await docker.calls();
  assert.equal(
    calls.map((call) => call.argv).sort(),
    Object.values(good)
      .map((address) => ['login', '--username', 'AWS', '--password-stdin', '--', address])
      .sort(),
  );
});

Ecr('logout --ecr refuses an account id from GetCallerIdentity that is not 12 digits, and runs no docker', async ({ world, docker }) => {
  assert.is((await world.aws2fa(['login', 'prod', '123456'])).status, 0);
  world.fake.injectReply(
    (response) => {
      const body = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/x</Arn><UserId>AIDA</UserId><Account>--authfile=/tmp/planted</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
      response.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    },
    { service: 'sts' },
  );
  const result = await world.aws2fa(['logout', 'prod', '--ecr'], { env: { PATH: pathWith(docker.bin) } });
  assert.is(result.status, 3, result.stderr);
  assert.match(result.stderr, /^aws2fa: ECR: cannot tell which account's registries to log out of: STS answered GetCallerIdentity without a 12-digit account id\n$/);
  assert.equal(await docker.calls(), []);
});

Ecr.run();
