// `aws2fa console` through the real hooks in bash, zsh and fish, the BUILT binary on PATH and the local endpoint:
// after one env login with a code, the console of that role comes from the shell's own session (no request), the
// console of another role from the root session the hook holds (no code), and a plain profile federates with its
// long-term keys. The held session reaches the binary on its descriptor only.
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as posix from '../../src/shell/posix.js';
import { BINARY } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { availableShells, runShellAsync, type Shell, tempDir } from '../helpers/shells.js';
import type { World } from '../helpers/world.js';
import { actions, makeRolesWorld, ROLE_ARNS } from '../roles/world.js';
import { filesState, follow } from './world.js';

interface Context {
  world: World;
  outside: string;
  path: string;
}

const Hook = suite<Context>('console: through the real hooks, with the held root session');

Hook.before.each(async (context) => {
  context.world = await makeRolesWorld();
  context.outside = tempDir('aws2fa-console-hook-');
  const bin = join(context.outside, 'bin');
  await mkdir(bin);
  // First on PATH: records its argv and whether the held value reached its environment, then becomes the binary.
  const log = join(context.outside, 'argv.log');
  await writeFile(
    join(bin, 'aws2fa'),
    `#!/bin/sh
{
  printf 'argv:'; for a in "$@"; do printf '[%s]' "$a"; done; printf '\\n'
  env | grep -q aws2fa-held && printf 'leak:env\\n'
} >> ${posix.quote(log)}
exec ${posix.quote(process.execPath)} ${posix.quote(BINARY)} "$@"
`,
  );
  await chmod(join(bin, 'aws2fa'), 0o755);
  context.path = `${bin}:/usr/local/bin:/usr/bin:/bin`;
});
Hook.after.each(async (context) => {
  await context.world.remove();
  await rm(context.outside, { recursive: true, force: true });
});

function script(shell: Shell, steps: string[]): string {
  const status = (label: string) => (shell.kind === 'fish' ? `echo "${label}=$status"` : `echo "${label}=$?"`);
  const lines = steps.flatMap((step, index) => [step, status(`step${index}`)]);
  if (shell.kind === 'fish') return ['aws2fa init fish | source', ...lines].join('\n');
  return [shell.kind === 'zsh' ? 'setopt nounset' : 'set -u', `eval "$(aws2fa init ${shell.kind})"`, ...lines].join('\n');
}

for (const shell of availableShells(['bash', 'zsh', 'fish'])) {
  Hook(`${shell.kind}: the role of this shell from its own session, another role from the held root session, a plain profile federated; no code, no file written`, async ({ world, outside, path }) => {
    const before = await filesState(world);
    const env = { PATH: path, TERM: 'dumb', SHELL: '/bin/sh', ...world.env } as Record<string, string>;
    const result = await runShellAsync(shell, script(shell, [`aws2fa env login admin ${ALICE.code}`, 'aws2fa console admin', 'aws2fa console readonly', 'aws2fa console base']), world.home, env);
    const lines = result.stdout.split('\n').filter(Boolean);
    assert.equal(lines.filter((line) => line.startsWith('step')), ['step0=0', 'step1=0', 'step2=0', 'step3=0'], result.stdout + result.stderr);
    const urls = lines.filter((line) => line.startsWith('http'));
    assert.is(urls.length, 3, result.stdout);

    // One code: the root session at env login; admin's console from the shell's session (no request), readonly's
    // from the held root session (no code), base's from GetFederationToken with its long-term keys.
    const root = world.fake.issued[0]!;
    assert.equal(actions(world), ['GetSessionToken', 'AssumeRole', 'AssumeRole', 'GetCallerIdentity', 'GetFederationToken']);
    const readonly = world.fake.requests[2]!;
    assert.equal([readonly.params.RoleArn, readonly.accessKeyId, readonly.params.TokenCode], [ROLE_ARNS.readonly, root.accessKeyId, undefined], 'signed with the held root session');
    assert.equal([world.fake.requests[3]!.accessKeyId, world.fake.requests[4]!.accessKeyId], [ALICE.accessKeyId, ALICE.accessKeyId]);
    const [admin, readonlySession] = world.fake.assumed;
    assert.equal(
      world.fake.signin.requests.map((request) => [request.action, request.session, request.params.SessionDuration]),
      [
        ['getSigninToken', admin, undefined],
        ['getSigninToken', readonlySession, undefined],
        ['getSigninToken', world.fake.signin.federated[0], undefined],
      ],
    );
    for (const [url, region] of [
      [urls[0]!, 'eu-central-1'],
      // readonly names no region: AWS_REGION, which env login admin exported.
      [urls[1]!, 'eu-central-1'],
      [urls[2]!, 'us-east-1'],
    ] as const) {
      assert.equal(await follow(url), { status: 302, location: `https://${region}.console.aws.amazon.com/console/home?region=${region}` });
    }

    const argv = await readFile(join(outside, 'argv.log'), 'utf8');
    assert.equal(argv.split('\n').filter((line) => line.startsWith('argv:[console]')), ['argv:[console][admin]', 'argv:[console][readonly]', 'argv:[console][base]']);
    assert.not.ok(argv.includes('leak:'), 'the held value in the environment');
    assert.equal(await filesState(world), before, 'no file written');
  });
}

Hook.run();
