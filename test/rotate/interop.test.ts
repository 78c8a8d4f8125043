import { spawn } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as posix from '../../src/shell/posix.js';
import { finished } from '../helpers/child.js';
import { BINARY, cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { availableShells, runShellAsync, tempDir } from '../helpers/shells.js';
import { findTool } from '../helpers/tools.js';
import { makeWorld, type World } from '../helpers/world.js';
import { filesKey, ROTATED } from './helpers.js';

// The rotated file as the real AWS CLI v2 reads it, and rotate through the real hooks: the held root session
// signs, no code is asked.
const Interop = suite<{ world: World; bin: string }>('rotate/interop: the AWS CLI reads the new key; the hooks hand rotate the held session');

Interop.before.each(async (context) => {
  context.world = await makeWorld();
  context.bin = tempDir('aws2fa-rotate-bin-');
  await mkdir(context.bin, { recursive: true });
  await writeFile(join(context.bin, 'aws2fa'), `#!/bin/sh\nexec ${posix.quote(process.execPath)} ${posix.quote(BINARY)} "$@"\n`);
  await chmod(join(context.bin, 'aws2fa'), 0o755);
});
Interop.after.each(async (context) => {
  await context.world.remove();
  await rm(context.bin, { recursive: true, force: true });
});

const aws = findTool('aws (AWS CLI v2)', ['/usr/bin/aws']);

if (aws) {
  Interop('the AWS CLI v2 signs with the new key from the rotated file, in [prod] and, after logout, from a file-mode rotation', async ({ world }) => {
    for (const fileMode of [false, true]) {
      if (fileMode) assert.is((await world.aws2fa(['login', 'prod', ALICE.code])).status, 0);
      const rotated = await world.aws2fa(['rotate', 'prod', ...(fileMode ? [] : [ALICE.code])]);
      assert.is(rotated.status, 0, rotated.stderr);
      if (fileMode) assert.is((await world.aws2fa(['logout', 'prod'])).status, 0);
      const key = filesKey(await world.read(world.credentials));
      const child = spawn(aws, ['sts', 'get-caller-identity', '--profile', 'prod', '--endpoint-url', world.fake.url, '--output', 'json'], {
        env: cleanEnv(world.home) as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const run = await finished(child);
      assert.is(run.status, 0, run.stderr);
      assert.is((JSON.parse(run.stdout) as { Arn: string }).Arn, 'arn:aws:iam::123456789012:user/alice');
      const last = world.fake.requests.at(-1)!;
      assert.equal([last.action, last.accessKeyId, last.signatureValid], ['GetCallerIdentity', key.accessKeyId, true]);
      assert.is(key.accessKeyId, world.fake.iam.created.at(-1)!.accessKeyId);
    }
  });
}

for (const shell of availableShells(['bash', 'zsh', 'fish'])) {
  Interop(`${shell.kind}: through the hook, rotate gets the held root session: no code, no second GetSessionToken`, async ({ world, bin }) => {
    const load = shell.kind === 'fish' ? ['aws2fa init fish | source'] : [shell.kind === 'zsh' ? 'setopt nounset' : 'set -u', `eval "$(aws2fa init ${shell.kind})"`];
    const status = shell.kind === 'fish' ? 'echo "rotate=$status"' : 'echo "rotate=$?"';
    const script = [...load, `aws2fa env login prod ${ALICE.code}`, 'aws2fa rotate prod </dev/null', status].join('\n');
    const env = { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, TERM: 'dumb', SHELL: '/bin/sh', ...world.env } as Record<string, string>;
    const result = await runShellAsync(shell, script, world.home, env);
    assert.match(result.stdout, /^rotate=0$/m, result.stderr);
    assert.match(result.stdout.split('\n').find((line) => line.startsWith('rotated')) + '\n', ROTATED);
    assert.is(world.fake.issued.length, 1, 'the env login session only');
    const session = world.fake.issued[0]!;
    const signed = world.fake.requests.filter((request) => request.service === 'iam');
    assert.is(signed.length, 3);
    assert.ok(signed.every((request) => request.accessKeyId === session.accessKeyId));
  });
}

Interop.run();
