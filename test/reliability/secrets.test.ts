import { readdir, readFile, chmod } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv } from '../helpers/cli.js';
import { makeFakeDocker, pathWith, type FakeDocker } from '../helpers/fake-docker.js';
import { ALICE } from '../helpers/home.js';
import { startBinary, type Exit } from '../helpers/processes.js';
import { makeWorld, type World } from '../helpers/world.js';

// Issue 6, security: no secret (long-term secret key, session secret and token, ECR password) in the argv of any
// process, in any message, in status output or in debug output; and the file modes aws2fa promises.
const Secrets = suite<{ world: World; docker: FakeDocker }>('reliability: secrets stay out of argv, messages, status and debug output');

Secrets.before.each(async (context) => {
  context.world = await makeWorld();
  context.docker = await makeFakeDocker({ failOn: 'us-east-2', gate: true });
});
Secrets.after.each(async (context) => {
  await context.world.remove();
  await context.docker.remove();
});

interface Run {
  what: string;
  exit: Exit;
  shellCode: boolean; // stdout is env mode's shell code, which carries the session by design
}

// Every command line of every process on the machine, sampled while the binary runs: argv is visible to all users.
async function commandLines(): Promise<string[]> {
  const lines: string[] = [];
  for (const pid of (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name))) {
    const line = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (line) lines.push(line);
  }
  return lines;
}

// Each docker call waits at its gate until a sample has been taken while it waited: every one is seen running.
async function runWatched(argv: string[], env: Record<string, string | undefined>, seen: Set<string>, docker: FakeDocker): Promise<Exit> {
  const running = startBinary(argv, env);
  let done = false;
  const exited = running.exited.finally(() => {
    done = true;
  });
  while (!done) {
    const waiting = await docker.waiting();
    for (const line of await commandLines()) seen.add(line);
    for (const pid of waiting) await docker.letGo(pid);
    await new Promise((resolve) => setTimeout(resolve, 2)); // how often to sample, not an outcome
  }
  return exited;
}

function secretsOf(world: World): string[] {
  const secrets = [ALICE.secretAccessKey, ...world.fake.ecrPasswords];
  for (const session of world.fake.issued) secrets.push(session.secretAccessKey, session.sessionToken);
  return secrets;
}

Secrets('login, env login, ECR, failures, status and logout with AWS2FA_DEBUG=1: no secret in argv, output or debug lines', async ({ world, docker }) => {
  const seen = new Set<string>();
  const runs: Run[] = [];
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, AWS2FA_DEBUG: '1', PATH: pathWith(docker.bin), AWS2FA_HTTP_TIMEOUT: '0.25' });
  const run = async (what: string, argv: string[], status: number, shellCode = false) => {
    const exit = await runWatched(argv, env, seen, docker);
    assert.is(exit.status, status, `${what}: ${exit.stderr}`);
    runs.push({ what, exit, shellCode });
    return exit;
  };

  const login = await run('login --ecr', ['login', 'prod', ALICE.code, '--ecr'], 0);
  assert.match(login.stderr, /aws2fa debug \+\d+ms: credentials file .*\/\.aws\/credentials, config file .*\/\.aws\/config\n/);
  assert.match(login.stderr, /aws2fa debug \+\d+ms: profile prod: long-term key AKIA…MPLE from \[prod\], mfa_serial arn:aws:iam::123456789012:mfa\/alice, STS region eu-west-1 \(from the profile\)\n/);
  assert.match(login.stderr, /STS GetSessionToken for access key AKIA…MPLE, MFA device arn:aws:iam::123456789012:mfa\/alice, code \*{6}, 43200 s at http:\/\/127\.0\.0\.1:\d+ \(signing region eu-west-1\): up to 2 tries/);
  assert.match(login.stderr, /STS try 1\/2: POST http:\/\/127\.0\.0\.1:\d+\/ → HTTP 200 in \d+ ms\n/);
  assert.match(login.stderr, /STS GetSessionToken: session key ASIA…\w{4} until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/);
  await run('env login', ['env', 'login', 'prod', ALICE.code, '--shell', 'bash'], 0, true);
  await run('status', ['status'], 0);
  await run('status --json', ['status', 'prod', '--json'], 0);
  await run('ECR region whose docker login fails and echoes its stdin', ['login', 'prod', ALICE.code, '--ecr-region', 'us-east-2'], 3);
  world.fake.injectFault('500', { service: 'ecr' });
  await run('ECR answering 500', ['login', 'prod', ALICE.code, '--ecr'], 3);
  world.fake.clearFaults();
  world.fake.injectFault('500', { service: 'sts', times: 1 });
  const retried = await run('STS 500 then OK', ['login', 'prod', ALICE.code], 0);
  assert.match(retried.stderr, /STS try 1\/2: POST http:\/\/127\.0\.0\.1:\d+\/ → HTTP 500 InternalFailure after \d+ ms\n.*STS try 2\/2: POST .* → HTTP 200 in \d+ ms\n/s);
  for (const fault of ['500', 'malformed', 'hang'] as const) {
    world.fake.injectFault(fault, { service: 'sts' });
    await run(`STS ${fault}`, ['login', 'prod', ALICE.code], 1);
    world.fake.clearFaults();
  }
  await run('wrong code', ['login', 'prod', '000000'], 1);
  await run('logout --ecr', ['logout', 'prod', '--ecr'], 0);
  await world.writeCredentials(`[prod]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = WRONG/secret+key=0123456789abcdefghijklmn\n`);
  const wrong = await run('secret that does not match', ['login', 'prod', ALICE.code], 1);
  assert.not.ok(wrong.stderr.includes('WRONG/secret'), 'the configured secret is not echoed');

  const secrets = secretsOf(world);
  assert.ok(world.fake.ecrPasswords.length >= 2 && world.fake.issued.length >= 5, 'the runs really got secrets to leak');
  for (const { what, exit, shellCode } of runs) {
    for (const secret of secrets) {
      assert.not.ok(exit.stderr.includes(secret), `${what}: a secret on stderr (debug lines included)`);
      const allowed = shellCode && world.fake.issued.some((session) => session.secretAccessKey === secret || session.sessionToken === secret);
      if (!allowed) assert.not.ok(exit.stdout.includes(secret), `${what}: a secret on stdout`);
    }
  }
  const calls = await docker.calls();
  assert.ok(calls.length >= 3, 'docker was run');
  for (const call of calls) {
    for (const secret of secrets) {
      assert.not.ok(call.argv.some((arg) => arg.includes(secret)), `a secret in docker's argv: ${call.argv.join(' ')}`);
      assert.not.ok(call.env.includes(secret), `a secret in docker's environment`);
    }
  }
  assert.ok(calls.some((call) => world.fake.ecrPasswords.includes(call.stdin)), 'the ECR password went to docker on stdin');
  assert.ok([...seen].some((line) => line.includes('--password-stdin')), 'the sampling saw docker running');
  for (const line of seen) for (const secret of secrets) assert.not.ok(line.includes(secret), `a secret in a command line: ${line}`);
});

Secrets('modes: 0600 stays 0600 without a word; a wider existing mode is kept, with a warning', async ({ world }) => {
  for (const mode of [0o600, 0o700, 0o640, 0o644, 0o660, 0o606]) {
    await chmod(world.credentials, mode);
    const login = await world.aws2fa(['login', 'prod', ALICE.code]);
    assert.is(login.status, 0);
    assert.is(await world.mode(world.credentials), mode, mode.toString(8));
    const warned = /warning: .*credentials can be read by other users: chmod 600/.test(login.stderr);
    assert.is(warned, (mode & 0o077) !== 0, `${mode.toString(8)}: ${login.stderr}`);
    assert.is((await world.aws2fa(['logout', 'prod'])).status, 0);
    assert.is(await world.mode(world.credentials), mode, mode.toString(8));
  }
});

Secrets.run();
