import { execFile } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { runBinaryGuarded, until } from '../helpers/processes.js';
import { findTool } from '../helpers/tools.js';
import type { World } from '../helpers/world.js';
import { makeRolesWorld, ROLE_ARNS, ROLES_CREDENTIALS, OTHER_ACCOUNT } from '../roles/world.js';
import { ask, CLIENT, endLeftovers, openSocket, rawExchange, startServing } from './serving.js';

// `aws2fa exec --server PROFILE [CODE] -- COMMAND`: the command gets no keys, only the endpoint and its token, and
// the real AWS CLI, botocore and the JS SDK take the served session from it, renewed while the command runs.
interface Context {
  world: World;
  tmp: string;
  /** the AWS files as they were before the test (a test that logs in first sets it again) */
  files: Record<string, string | null>;
}
const Server = suite<Context>('exec --server: the command gets renewed credentials from aws2fa on 127.0.0.1');

// Long-term keys in [default], as aws2fa's users have them: the SDKs read them before container credentials.
const DEFAULT_KEYS = '[default]\naws_access_key_id = AKIADEFAULTEXAMPLE00\naws_secret_access_key = default/secret+key=\n\n';

Server.before.each(async (context) => {
  context.world = await makeRolesWorld({ credentials: DEFAULT_KEYS + ROLES_CREDENTIALS });
  context.tmp = join(context.world.home, 'tmp');
  await mkdir(context.tmp, { mode: 0o700 });
  context.files = await context.world.snapshot();
});
Server.after.each(async (context) => {
  await endLeftovers();
  // Nothing left behind: the empty credentials file and its folder are gone with the command.
  assert.equal(await readdir(context.tmp), [], 'nothing left in TMPDIR');
  assert.equal(await context.world.snapshot(), context.files, 'the credentials and config files are not written');
  await context.world.remove();
});

const envOf = (context: Context, extra: Record<string, string> = {}) => cleanEnv(context.world.home, { AWS_ENDPOINT_URL: context.world.fake.url, TMPDIR: context.tmp, ...extra });
const run = promisify(execFile);
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(text.trimEnd().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

Server('the command gets the endpoint and a fresh token, the region and AWS2FA_PROFILE, and no key, profile or other container setting, inherited or not', async (context) => {
  const inherited = {
    MY_OWN: 'kept',
    AWS_ACCESS_KEY_ID: 'AKIAINHERITED0000000',
    AWS_SECRET_ACCESS_KEY: 'inherited',
    AWS_SESSION_TOKEN: 'inherited',
    AWS_SECURITY_TOKEN: 'inherited',
    AWS_PROFILE: 'base',
    AWS_DEFAULT_PROFILE: 'base',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:1/elsewhere',
    AWS_CONTAINER_AUTHORIZATION_TOKEN: 'inherited',
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/tmp/token',
    AWS_WEB_IDENTITY_TOKEN_FILE: '/tmp/web',
    AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/web',
  };
  const script = 'env; ls -ln "$AWS_SHARED_CREDENTIALS_FILE"; ls -ldn "${AWS_SHARED_CREDENTIALS_FILE%/*}"';
  const first = await runBinaryGuarded(['exec', '--server', 'admin', ALICE.code, '--', 'sh', '-c', script], envOf(context, inherited));
  assert.is(first.status, 0, first.stderr);
  assert.is(first.stderr, '');
  const lines = first.stdout.trimEnd().split('\n');
  const [file, folder] = lines.splice(-2);
  const env = parseEnv(lines.join('\n'));
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_SECURITY_TOKEN, AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, ...kept } = envOf(context, inherited);
  const root = context.world.fake.issued[0]!;
  const { AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: token, AWS_SHARED_CREDENTIALS_FILE: credentials, PWD: _pwd, ...rest } = env;
  assert.equal(rest, {
    ...kept,
    AWS2FA_PROFILE: 'admin',
    AWS2FA_EXPIRES: String(Math.floor(root.expiration.getTime() / 1000)),
    AWS_REGION: 'eu-central-1',
    AWS_DEFAULT_REGION: 'eu-central-1',
    AWS2FA_REGION: 'eu-central-1',
  });
  assert.match(url!, /^http:\/\/127\.0\.0\.1:\d+\/credentials$/);
  assert.match(token!, /^[0-9a-f]{64}$/);
  assert.ok(credentials!.startsWith(`${context.tmp}/aws2fa-server-`), credentials);
  // An empty regular file of 0600 in a folder of 0700.
  assert.match(file!, /^-rw-------\S*\s+1\s+\d+\s+\d+\s+0\s/);
  assert.match(folder!, /^drwx------\S*\s/);
  assert.not.ok(first.stdout.includes(root.secretAccessKey) || first.stdout.includes(context.world.fake.assumed[0]!.secretAccessKey), 'no secret in the command\'s environment');

  const second = await runBinaryGuarded(['exec', '--server', 'admin', ALICE.code, '--', 'sh', '-c', 'echo "$AWS_CONTAINER_AUTHORIZATION_TOKEN"'], envOf(context));
  assert.is(second.status, 0, second.stderr);
  assert.match(second.stdout, /^[0-9a-f]{64}\n$/);
  assert.is.not(second.stdout.trim(), token, 'a new token for every run');
});

Server('GET with the token serves the role session; the server is gone once the command has exited (connection refused)', async (context) => {
  const serving = startServing(['exec', '--server', 'admin', ALICE.code, '--', process.execPath, CLIENT], envOf(context));
  const ready = await serving.next();
  serving.send('get');
  const got = await serving.next();
  const role = context.world.fake.assumed[0]!;
  assert.equal(got, {
    status: 200,
    body: { AccessKeyId: role.accessKeyId, SecretAccessKey: role.secretAccessKey, Token: role.sessionToken, Expiration: role.expiration.toISOString().replace('.000Z', 'Z') },
  });
  serving.send('exit 3');
  const exit = await serving.exited;
  assert.equal([exit.status, exit.stderr], [3, '']);
  try {
    await ask(ready.url as string, { headers: { authorization: ready.token as string } });
    assert.unreachable('the server still answers');
  } catch (error) {
    assert.is((error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
  }
});

Server('SIGTERM sent to aws2fa reaches the command, and the server stops with it', async (context) => {
  const serving = startServing(['exec', '--server', 'admin', ALICE.code, '--', process.execPath, CLIENT], envOf(context));
  const ready = await serving.next();
  serving.child.kill('SIGTERM');
  const exit = await serving.exited;
  assert.equal([exit.status, exit.stderr], [143, '']);
  const refused = await ask(ready.url as string, { headers: { authorization: ready.token as string } }).catch((error: NodeJS.ErrnoException) => error.code);
  assert.is(refused, 'ECONNREFUSED');
});

Server('a role session with under 15 minutes left is renewed from the root session before it is served; one with more is served as it is', async (context) => {
  const { fake } = context.world;
  // The session assumed at start lasts 10 minutes; those assumed later an hour.
  fake.roleSessionSeconds = 600;
  const serving = startServing(['exec', '--server', 'admin', ALICE.code, '--', process.execPath, CLIENT], envOf(context));
  await serving.next();
  fake.roleSessionSeconds = undefined;
  assert.is(fake.assumed.length, 1);
  serving.send('get');
  const first = await serving.next();
  assert.is(fake.assumed.length, 2, 'renewed before it was served');
  const renewed = fake.assumed[1]!;
  assert.equal((first.body as Record<string, string>).AccessKeyId, renewed.accessKeyId);
  serving.send('get');
  const second = await serving.next();
  assert.equal((second.body as Record<string, string>).AccessKeyId, renewed.accessKeyId);
  assert.is(fake.assumed.length, 2, 'an hour left: served as it is');
  serving.send('exit 0');
  assert.is((await serving.exited).status, 0);
  // Renewed with the root's MFA session aws2fa holds: no code, no GetSessionToken, AWS's 1 h.
  const root = fake.issued[0]!;
  const renewal = fake.requests.filter((request) => request.action === 'AssumeRole')[1]!;
  assert.equal(fake.requests.map((request) => request.action), ['GetSessionToken', 'AssumeRole', 'AssumeRole']);
  assert.equal([renewal.accessKeyId, renewal.sessionToken, renewal.params.RoleArn, renewal.params.DurationSeconds, renewal.params.TokenCode, renewal.params.SerialNumber], [root.accessKeyId, root.sessionToken, ROLE_ARNS.admin, '3600', undefined, undefined]);
  assert.ok(renewal.signatureValid);
});

Server('--duration for a role: each served session is still AWS\'s 1 h, and a note says --duration is not used', async (context) => {
  const result = await runBinaryGuarded(['exec', '--server', '--duration', '2h', 'admin', ALICE.code, '--', 'true'], envOf(context));
  assert.equal([result.status, result.stderr], [0, 'aws2fa: note: with --server, each session of admin lasts 3600 s and is renewed while the command runs; --duration is not used\n']);
  assert.is(context.world.fake.requests[1]!.params.DurationSeconds, '3600');
});

Server('without a code, the root\'s file-mode session is the root session: no GetSessionToken, nothing written', async (context) => {
  const { world } = context;
  assert.is((await runBinaryGuarded(['login', 'base', ALICE.code], envOf(context))).status, 0);
  context.files = await world.snapshot();
  const result = await runBinaryGuarded(['exec', '--server', 'admin', '--', process.execPath, join(FIXTURES, 'sdk-identity.mjs')], envOf(context), { guardMs: 60_000 });
  assert.is(result.status, 0, result.stderr);
  assert.equal(world.fake.requests.map((request) => request.action), ['GetSessionToken', 'AssumeRole', 'GetCallerIdentity']);
  assert.is(world.fake.requests[1]!.accessKeyId, world.fake.issued[0]!.accessKeyId);
  assert.match(result.stdout, /assumed-role\/admin\//);
});

Server('a plain profile serves its MFA session', async (context) => {
  const serving = startServing(['exec', '--server', 'base', ALICE.code, '--', process.execPath, CLIENT], envOf(context));
  await serving.next();
  serving.send('get');
  const got = await serving.next();
  assert.is((got.body as Record<string, string>).AccessKeyId, context.world.fake.issued[0]!.accessKeyId);
  serving.send('exit 0');
  assert.is((await serving.exited).status, 0);
  assert.equal(context.world.fake.requests.map((request) => request.action), ['GetSessionToken']);
});

Server('a role that asks for more than an hour is still assumed from the root session, never directly with the code', async (context) => {
  // [profile long] has duration_seconds = 7200: plain exec would assume it with the code.
  const result = await runBinaryGuarded(['exec', '--server', 'long', ALICE.code, '--', 'true'], envOf(context));
  assert.is(result.status, 0, result.stderr);
  const [first, second] = context.world.fake.requests;
  assert.equal([first!.action, second!.action, second!.params.DurationSeconds, second!.params.TokenCode], ['GetSessionToken', 'AssumeRole', '3600', undefined]);
});

Server('hostile callers: a missing or wrong token 403, another method 405, a request past 4 KiB 400, more than 8 connections dropped; nothing printed', async (context) => {
  const serving = startServing(['exec', '--server', 'admin', ALICE.code, '--', process.execPath, CLIENT], envOf(context));
  const { url, token } = (await serving.next()) as { url: string; token: string };
  const secret = context.world.fake.assumed[0]!.secretAccessKey;
  for (const headers of [{} as Record<string, string>, { authorization: '' }, { authorization: token.slice(0, -1) }, { authorization: `${token}0` }, { authorization: `Bearer ${token}` }, { authorization: token.toUpperCase() }]) {
    const answer = await ask(url, { headers });
    assert.is(answer.status, 403, JSON.stringify(headers));
    assert.not.ok(answer.body.includes(secret));
    assert.is(JSON.parse(answer.body).Code, 'AccessDenied');
  }
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    const answer = await ask(url, { method, headers: { authorization: token } });
    assert.equal([answer.status, answer.headers.allow], [405, 'GET'], method);
    assert.not.ok(answer.body.includes(secret));
  }
  assert.is((await ask(url, { method: 'POST' })).status, 403, 'no token: nothing else is said');
  assert.is((await ask(url, { headers: { authorization: token, 'x-padding': 'x'.repeat(5000) } })).status, 400, 'headers past 4 KiB');
  assert.is((await ask(url, { headers: { authorization: token, 'content-length': '5000' }, body: 'x'.repeat(5000) })).status, 400, 'a body past 4 KiB');
  assert.is((await ask(url, { headers: { authorization: token, 'content-length': '100' }, body: 'x'.repeat(100) })).status, 200, 'a small body is no reason to refuse');
  assert.is((await ask(url.replace(/credentials$/, 'other'), { headers: { authorization: token } })).status, 404);

  // Eight idle connections take every place; a ninth is closed unanswered; once they go, the command is served.
  const held = await Promise.all(Array.from({ length: 8 }, () => openSocket(url)));
  const { host, pathname } = new URL(url);
  const requestText = `GET ${pathname} HTTP/1.1\r\nhost: ${host}\r\nauthorization: ${token}\r\nconnection: close\r\n\r\n`;
  const ninth = await openSocket(url);
  assert.is(await rawExchange(ninth, requestText), '', 'the ninth connection is closed without an answer');
  for (const socket of held) socket.destroy();
  // The server frees the places as it sees the connections close: wait for that, then the command is served.
  await until(async () => /^HTTP\/1\.1 200 /.test(await rawExchange(await openSocket(url), requestText)));
  serving.send('get');
  assert.is((await serving.next()).status, 200);

  serving.send('exit 0');
  const exit = await serving.exited;
  assert.equal([exit.status, exit.stderr], [0, ''], 'nothing logged');
});

Server('a connection that sends nothing is closed by the server after a few seconds: no one holds a place for good', async (context) => {
  const serving = startServing(['exec', '--server', 'admin', ALICE.code, '--', process.execPath, CLIENT], envOf(context));
  const { url } = (await serving.next()) as { url: string };
  const idle = await openSocket(url);
  // The close is the event waited for; the guard of the run bounds it.
  const closed = await new Promise<string>((resolve) => {
    let seen = '';
    idle.on('data', (chunk: Buffer) => (seen += chunk.toString('latin1')));
    idle.on('error', () => undefined);
    idle.on('close', () => resolve(seen));
  });
  assert.not.match(closed, /Secret|ASIA/);
  serving.send('exit 0');
  assert.is((await serving.exited).status, 0);
});

// Debian's AWS CLI v2 (2.9) ignores AWS_ENDPOINT_URL: the endpoint is passed as --endpoint-url.
const awsCli = findTool('AWS CLI v2', ['/usr/bin/aws']);

Server('the AWS CLI v2 takes the served role session; long-term keys in [default] of the credentials file do not win', async (context) => {
  if (!awsCli) return;
  const result = await runBinaryGuarded(
    ['exec', '--server', 'admin', ALICE.code, '--', awsCli, 'sts', 'get-caller-identity', '--endpoint-url', context.world.fake.url, '--output', 'json'],
    envOf(context),
    { guardMs: 60_000 },
  );
  assert.is(result.status, 0, result.stderr);
  const identity = JSON.parse(result.stdout) as { Arn: string };
  assert.match(identity.Arn, new RegExp(`^arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/admin/`));
  const call = context.world.fake.requests.find((request) => request.action === 'GetCallerIdentity')!;
  assert.equal([call.accessKeyId, call.signatureValid], [context.world.fake.assumed[0]!.accessKeyId, true]);
});

// Debian's python3-boto3 (.ci/run installs it) is for the system's python3, which an earlier python3 on PATH may hide.
async function pythonWithBoto3(): Promise<string | null> {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    try {
      await run(candidate, ['-c', 'import boto3']);
      return candidate;
    } catch {
      // not this one
    }
  }
  return findTool('python3 with boto3', []);
}

Server('boto3 takes the served role session', async (context) => {
  const python = await pythonWithBoto3();
  if (!python) return;
  const script = 'import boto3, json, sys; print(json.dumps(boto3.client("sts", region_name="us-east-1", endpoint_url=sys.argv[1]).get_caller_identity()["Arn"]))';
  const result = await runBinaryGuarded(['exec', '--server', 'admin', ALICE.code, '--', python, '-c', script, context.world.fake.url], envOf(context), { guardMs: 60_000 });
  assert.is(result.status, 0, result.stderr);
  assert.match(JSON.parse(result.stdout) as string, new RegExp(`^arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/admin/`));
  const call = context.world.fake.requests.find((request) => request.action === 'GetCallerIdentity')!;
  assert.is(call.accessKeyId, context.world.fake.assumed[0]!.accessKeyId);
});

Server('the JS SDK v3, given no credentials, takes the served role session through its default chain', async (context) => {
  const result = await runBinaryGuarded(['exec', '--server', 'admin', ALICE.code, '--', process.execPath, join(FIXTURES, 'sdk-identity.mjs')], envOf(context), { guardMs: 60_000 });
  assert.is(result.status, 0, result.stderr);
  const seen = JSON.parse(result.stdout) as { arn: string; accessKeyId: string };
  assert.is(seen.accessKeyId, context.world.fake.assumed[0]!.accessKeyId);
  assert.match(seen.arn, new RegExp(`^arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/admin/`));
});

Server('credentials in [default] of the config file, which the SDKs would use instead: refused before any request, code unspent', async (context) => {
  const { world } = context;
  const config = await world.read(world.config);
  for (const [section, key] of [['default', 'credential_process = /bin/echo'], ['profile default', 'role_arn = arn:aws:iam::123456789012:role/x'], ['default', 'sso_session = corp']] as const) {
    await world.writeConfig(`${config}\n[${section}]\n${key}\n`);
    const result = await runBinaryGuarded(['exec', '--server', 'admin', ALICE.code, '--', 'true'], envOf(context));
    assert.is(await world.read(world.config), `${config}\n[${section}]\n${key}\n`);
    const name = key.split(' ')[0];
    assert.equal([result.status, result.stdout], [1, '']);
    assert.is(result.stderr, `aws2fa: [${section}] in ${world.config} sets ${name}, which the AWS CLI and the SDKs would use instead of the credentials exec --server serves: move it to a named profile, or run aws2fa exec without --server\n`);
  }
  assert.is(world.fake.requests.length, 0);
  // A region or other settings there are what the command should read: no refusal.
  await world.writeConfig(`${config}\n[default]\nregion = us-west-2\noutput = json\n`);
  context.files = await world.snapshot();
  const fine = await runBinaryGuarded(['exec', '--server', 'admin', ALICE.code, '--', 'true'], envOf(context));
  assert.is(fine.status, 0, fine.stderr);
});

Server('exit status, stdin, stdout and stderr are the command\'s; a command not found is 127', async (context) => {
  const script = 'read -r line; echo "out $line"; echo "err $line" >&2; exit 42';
  const result = await runBinaryGuarded(['exec', '--server', 'base', ALICE.code, '--', 'sh', '-c', script], envOf(context), { stdin: 'typed\n' });
  assert.equal([result.status, result.stdout, result.stderr], [42, 'out typed\n', 'err typed\n']);
  const missing = await runBinaryGuarded(['exec', '--server', 'base', ALICE.code, '--', 'no-such-command-of-aws2fa'], envOf(context));
  assert.equal([missing.status, missing.stdout, missing.stderr], [127, '', 'aws2fa: no-such-command-of-aws2fa: command not found\n']);
});

Server('--help shows --server and an example', async (context) => {
  const result = await runBinaryGuarded(['exec', '--help'], envOf(context));
  assert.is(result.status, 0);
  assert.match(result.stdout, /--server/);
  assert.match(result.stdout, /\$ aws2fa exec --server admin -- terraform apply/);
});

Server.run();
