import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { finished } from '../helpers/child.js';
import { BINARY, cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { runBinaryGuarded, type Exit } from '../helpers/processes.js';
import { makeWorld, STANDARD_CONFIG, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

// aws2fa hands the SDK clients every setting (src/aws/client-settings.ts) and the bundle has no reader of the shared
// files (scripts/build.mjs): what sits in ~/.aws/config for the SDK (FIPS, dual-stack, retry or defaults mode, of
// AWS_PROFILE or default), a FIFO there or a huge file, changes nothing of a login, which goes to the endpoint of
// AWS_ENDPOINT_URL as always.
const Shared = suite<{ world: World }>('aws/shared-files: the SDK never reads ~/.aws itself');

Shared.before.each(async (context) => {
  context.world = await makeWorld();
});
Shared.after.each(async (context) => {
  await context.world.remove();
});

// FIPS, dual-stack and a bogus defaults mode each failed every login to AWS_ENDPOINT_URL; an unknown retry mode the
// SDK takes as `standard`, kept here so that no value of it is ever read.
const SDK_SETTINGS = ['use_fips_endpoint = true', 'use_dualstack_endpoint = true', 'retry_mode = bogus', 'defaults_mode = bogus'];

// The standard config with the setting in [default] and in [profile prod].
const configWith = (setting: string) => STANDARD_CONFIG.replace('region = us-east-1\n', `region = us-east-1\n${setting}\n`).replace('output = json\n', `output = json\n${setting}\n`);

const LOGINS = [
  ['login', 'prod', ALICE.code],
  ['env', 'login', 'prod', ALICE.code, '--shell', 'bash'],
];

// One login reached the endpoint, signed with alice's keys for eu-west-1, and did what it does without the setting.
function assertLoggedIn(world: World, argv: string[], run: Exit, label: string): void {
  assert.is(run.guardKilled, false, `${label}: hung`);
  assert.is(run.status, 0, `${label}: ${run.stderr}`);
  const request = world.fake.requests.at(-1)!;
  assert.is(request.action, 'GetSessionToken', label);
  assert.is(request.accessKeyId, ALICE.accessKeyId, label);
  assert.is(request.region, 'eu-west-1', label);
  assert.ok(request.signatureValid, label);
  const session = world.fake.issued.at(-1)!;
  if (argv[0] === 'env') {
    assert.ok(run.stdout.includes(`export AWS_ACCESS_KEY_ID='${session.accessKeyId}'\n`), label);
  } else {
    assert.match(run.stdout, /^Logged in prod until \S+ \((?:12h00m|11h59m) left\)\.\n/, label);
    assert.match(readFileSync(world.credentials, 'utf8'), `aws_access_key_id = ${session.accessKeyId}\n`, label);
  }
}

for (const setting of SDK_SETTINGS) {
  Shared(`\`${setting}\` in [default] and [profile prod] changes nothing of login and env login, with or without AWS_PROFILE`, async ({ world }) => {
    await world.writeConfig(configWith(setting));
    for (const profile of [undefined, 'prod']) {
      for (const argv of LOGINS) {
        await world.writeCredentials(STANDARD_CREDENTIALS);
        const run = await runBinaryGuarded(argv, cleanEnv(world.home, { ...world.env, AWS_PROFILE: profile }));
        assertLoggedIn(world, argv, run, `${argv.join(' ')}, AWS_PROFILE=${profile ?? ''}`);
      }
    }
  });
}

// --directory: aws2fa's files are elsewhere, and nothing in ~/.aws is opened (a FIFO would block whoever opens it).
function useDirectory(world: World): string {
  const folder = join(world.home, 'accounts');
  mkdirSync(folder, { mode: 0o700 });
  writeFileSync(join(folder, 'credentials'), STANDARD_CREDENTIALS, { mode: 0o600 });
  writeFileSync(join(folder, 'config'), STANDARD_CONFIG, { mode: 0o600 });
  return folder;
}

Shared('with --directory, FIFOs at ~/.aws/config and ~/.aws/credentials block nothing', async ({ world }) => {
  const folder = useDirectory(world);
  for (const file of [world.config, world.credentials]) {
    execFileSync('rm', [file]);
    execFileSync('mkfifo', ['-m', '600', file]);
  }
  for (const argv of LOGINS) {
    const run = await runBinaryGuarded([...argv, '--directory', folder], cleanEnv(world.home, world.env), { guardMs: 15_000 });
    assert.is(run.guardKilled, false, `${argv.join(' ')}: hung on the FIFO`);
    assert.is(run.status, 0, run.stderr);
    assert.is(world.fake.requests.at(-1)!.accessKeyId, ALICE.accessKeyId);
  }
});

Shared('with --directory, a huge ~/.aws/config (50,000 profiles, then FIPS in [default]) changes nothing', async ({ world }) => {
  const folder = useDirectory(world);
  const profiles = Array.from({ length: 50_000 }, (_, i) => `[profile p${i}]\nregion = us-east-1\noutput = json\n`).join('');
  await world.writeConfig(`${profiles}[default]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = true\n`);
  for (const argv of LOGINS) {
    const run = await runBinaryGuarded([...argv, '--directory', folder], cleanEnv(world.home, world.env));
    assert.is(run.guardKilled, false, argv.join(' '));
    assert.is(run.status, 0, run.stderr);
    assert.is(world.fake.requests.at(-1)!.accessKeyId, ALICE.accessKeyId);
  }
});

// A preloaded module logs every file the run opens or reads by any path of node:fs.
function writeOpenTrace(folder: string): string {
  const trace = join(folder, 'open-trace.cjs');
  writeFileSync(
    trace,
    `const fs = require('node:fs');\n` +
      `const log = (path) => { try { fs.appendFileSync(process.env.AWS2FA_TEST_OPENED, String(path) + '\\n'); } catch {} };\n` +
      `for (const [object, names] of [[fs, ['open', 'openSync', 'readFile', 'readFileSync', 'createReadStream']], [fs.promises, ['open', 'readFile']]]) {\n` +
      `  for (const name of names) {\n` +
      `    const original = object[name];\n` +
      `    object[name] = function (path, ...rest) { log(path); return original.call(this, path, ...rest); };\n` +
      `  }\n` +
      `}\n`,
  );
  return trace;
}

Shared('structurally: with --directory, login, env login and status open nothing under ~/.aws', async ({ world }) => {
  const folder = useDirectory(world);
  const trace = writeOpenTrace(world.home);
  const opened = join(world.home, 'opened.txt');
  for (const argv of [...LOGINS, ['status']]) {
    writeFileSync(opened, '');
    const child = spawn(process.execPath, ['--require', trace, BINARY, ...argv, '--directory', folder], {
      env: cleanEnv(world.home, { ...world.env, AWS2FA_TEST_OPENED: opened }) as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run = await finished(child);
    assert.is(run.status, 0, run.stderr);
    const files = readFileSync(opened, 'utf8').split('\n').filter((file) => file !== '');
    assert.ok(files.some((file) => file.startsWith(folder)), `${argv.join(' ')}: the trace sees aws2fa's own reads`);
    assert.equal(files.filter((file) => file.startsWith(world.aws)), [], argv.join(' '));
  }
});

Shared("structurally: the bundled SDK has no reader of the shared files; a setting left to it fails loudly", async ({ world }) => {
  const sdk = fileURLToPath(new URL('../../dist/sdk/', import.meta.url));
  const file = join(sdk, readdirSync(sdk).find((name) => /^client-sts-\w+\.cjs$/.test(name))!);
  // A client given the credentials and the endpoint only, as aws2fa's were: the SDK looks up the rest itself.
  const script =
    `const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(file)});\n` +
    `const client = new STSClient({ region: 'eu-west-1', endpoint: process.env.AWS_ENDPOINT_URL, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });\n` +
    `client.send(new GetCallerIdentityCommand({})).then(() => console.log('answered'), (error) => console.log(error.message));\n`;
  const child = spawn(process.execPath, ['-e', script], { env: cleanEnv(world.home, world.env) as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const run = await finished(child);
  assert.is(run.stdout, `aws2fa passes the AWS SDK its settings: the SDK's reader of the shared config and credentials files is not built in\n`, run.stderr);
  assert.equal(world.fake.requests, []);
});

Shared.run();
