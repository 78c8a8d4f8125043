import { spawn } from 'node:child_process';
import { access, chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { finished, type Finished } from '../helpers/child.js';
import { BINARY, cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { leftovers } from '../helpers/processes.js';
import { makeWorld, STANDARD_CONFIG, type World } from '../helpers/world.js';
import { dialog, ptyAvailable } from './pty-dialog.js';

// mfa_process: the code read for the person (a YubiKey, a password manager). The built binary, real /bin/sh.
const Process = suite<{ world: World }>('codes: mfa_process gives the code; any failure is one line that never shows its output');

Process.before.each(async (context) => {
  context.world = await makeWorld();
});
Process.after.each(async (context) => {
  await context.world.remove();
});

// A word that must never show up in aws2fa's output.
const LEAK = 'hunter2-vault-item';

async function useProcess(world: World, body: string): Promise<string> {
  const script = join(world.home, 'mfa-code.sh');
  await writeFile(script, `#!/bin/sh\n${body}\n`);
  await chmod(script, 0o700);
  await world.writeConfig(STANDARD_CONFIG.replace('output = json\n', `output = json\nmfa_process = ${script}\n`));
  return script;
}

// In a session of its own, so without a controlling terminal whoever runs the tests: what a cron job or CI sees.
async function run(world: World, argv: string[], extra: Record<string, string> = {}): Promise<Finished> {
  const child = spawn(process.execPath, [BINARY, ...argv], {
    env: cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, ...extra }) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    return await finished(child);
  } finally {
    clearTimeout(guard);
  }
}

Process('a code printed with a newline logs in, file mode: the session is written', async ({ world }) => {
  await useProcess(world, 'echo 123456');
  const result = await run(world, ['login', 'prod']);
  assert.is(result.status, 0, result.stderr);
  assert.is(world.fake.requests[0]!.params.TokenCode, ALICE.code);
  assert.match(await world.read(world.credentials), new RegExp(`aws_session_token = ${world.fake.issued[0]!.sessionToken.replace(/[+/]/g, '\\$&')}`));
});

Process('a code printed with a newline logs in, env mode: the exports on stdout, no file written', async ({ world }) => {
  await useProcess(world, 'printf "  123456\\r\\n"');
  const before = await world.snapshot();
  const result = await run(world, ['env', 'login', 'prod', '--shell', 'bash']);
  assert.is(result.status, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^export AWS_ACCESS_KEY_ID='${world.fake.issued[0]!.accessKeyId}'$`, 'm'));
  assert.is(world.fake.requests[0]!.params.TokenCode, ALICE.code);
  assert.equal(await world.snapshot(), before);
});

Process('a code printed with a newline reaches exec\'s command', async ({ world }) => {
  await useProcess(world, 'echo 123456');
  const result = await run(world, ['exec', 'prod', '--', 'sh', '-c', 'echo "$AWS_ACCESS_KEY_ID"']);
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stdout, `${world.fake.issued[0]!.accessKeyId}\n`);
});

const FAILURES: Array<[string, string, string, Record<string, string>]> = [
  [
    'exits 1',
    `echo ${LEAK}; echo 123456; exit 1`,
    'aws2fa: mfa_process of profile prod failed with exit status 1; run it by itself to see why, or give the code on the command line\n',
    {},
  ],
  [
    'prints a word',
    `echo ${LEAK}`,
    'aws2fa: mfa_process of profile prod did not print a 6-digit code (its output is not shown); it must print only the code\n',
    {},
  ],
  [
    'prints the code among other lines',
    `echo ${LEAK}; echo 123456`,
    'aws2fa: mfa_process of profile prod did not print a 6-digit code (its output is not shown); it must print only the code\n',
    {},
  ],
  [
    'prints more than a code could be',
    `head -c 100000 /dev/zero`,
    'aws2fa: mfa_process of profile prod printed more than a code (its output is not shown); it must print only the 6-digit code\n',
    {},
  ],
  [
    'sleeps past the bound (shortened by AWS2FA_MFA_PROCESS_TIMEOUT)',
    'exec sleep 30',
    'aws2fa: mfa_process of profile prod gave no code within 0.5 s: check that the device is at hand, run it by itself to see why, or give the code on the command line\n',
    { AWS2FA_MFA_PROCESS_TIMEOUT: '0.5' },
  ],
];

for (const [what, body, message, extra] of FAILURES) {
  Process(`mfa_process that ${what}: one line naming the profile, exit 1, no request, nothing written, its output not shown`, async ({ world }) => {
    await useProcess(world, body);
    const before = await world.snapshot();
    for (const argv of [['login', 'prod'], ['env', 'login', 'prod'], ['exec', 'prod', '--', 'true']]) {
      const result = await run(world, argv, extra);
      assert.equal([result.status, result.stdout, result.stderr], [1, '', message], argv.join(' '));
    }
    assert.is(world.fake.requests.length, 0);
    assert.equal(await world.snapshot(), before);
    assert.equal(await leftovers(world.aws), []);
  });
}

Process('a code from mfa_process that AWS refuses is not asked for again: AWS\'s one line, one request, nothing written', async ({ world }) => {
  await useProcess(world, 'echo 654321');
  const before = await world.snapshot();
  const result = await run(world, ['login', 'prod']);
  assert.equal([result.status, result.stdout], [1, '']);
  assert.match(result.stderr, /^aws2fa: AWS rejected the MFA code for arn:aws:iam::123456789012:mfa\/alice: wait for the next code/);
  assert.is(world.fake.requests.length, 1);
  assert.equal(await world.snapshot(), before);
});

Process('a CODE on the command line wins: mfa_process is not run', async ({ world }) => {
  const marker = join(world.home, 'mfa-process-ran');
  await useProcess(world, `: > ${marker}; exit 1`);
  const result = await run(world, ['login', 'prod', ALICE.code]);
  assert.is(result.status, 0, result.stderr);
  await access(marker).then(
    () => assert.unreachable('mfa_process ran'),
    () => undefined,
  );
});

Process('on a terminal, mfa_process has it as stdin and stderr even when aws2fa\'s stdin is not ("Touch your key" seen, its question answered); the code is used', async ({ world }) => {
  if (!ptyAvailable()) return;
  await useProcess(world, `printf 'Touch your key\\n' >&2; read -r answer; [ "$answer" = touched ] && echo ${ALICE.code}`);
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const steps = [{ waitFor: 'Touch your key', type: 'touched\r' }];
  const run = await dialog(['env', 'login', 'prod', '--shell', 'bash'], env, world.home, steps, { stdoutPipe: true, stdinNull: true });
  assert.is(run.reached, 1, run.output);
  assert.is(run.status, 0, run.output);
  assert.is(world.fake.requests[0]!.params.TokenCode, ALICE.code);
  assert.match(run.stdout!, /^export AWS_SESSION_TOKEN=/m);
  assert.not.match(run.output, new RegExp(ALICE.code), 'the code it printed is not shown');
});

Process.run();
