import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as posix from '../../src/shell/posix.js';
import { BINARY } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { availableShells, runShellAsync, tempDir } from '../helpers/shells.js';
import type { World } from '../helpers/world.js';
import { actions, makeRolesWorld, OTHER_ACCOUNT, ROLE_ARNS } from '../roles/world.js';

// Through the hook, `exec --server` gets the root session the shell holds, like plain exec: no code, and the command
// sees neither the held value nor its descriptor.
interface Context {
  world: World;
  outside: string;
  path: string;
}
const Hook = suite<Context>('exec --server through the hooks: the held root session, no code');
const IDENTITY = fileURLToPath(new URL('../fixtures/sdk-identity.mjs', import.meta.url));

Hook.before.each(async (context) => {
  context.world = await makeRolesWorld();
  context.outside = tempDir('aws2fa-server-hook-');
  const bin = join(context.outside, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'aws2fa'), `#!/bin/sh\nexec ${posix.quote(process.execPath)} ${posix.quote(BINARY)} "$@"\n`);
  await chmod(join(bin, 'aws2fa'), 0o755);
  context.path = `${bin}:/usr/local/bin:/usr/bin:/bin`;
});
Hook.after.each(async (context) => {
  await context.world.remove();
  await rm(context.outside, { recursive: true, force: true });
});

for (const shell of availableShells(['bash', 'zsh', 'fish'])) {
  Hook(`${shell.kind}: after env login of one role, exec --server of another is served from the held root session; the command gets no held value and no descriptor 3`, async (context) => {
    const { world, outside } = context;
    const q = posix.quote;
    const envFile = join(outside, 'command.env');
    const command = `env > ${q(envFile)}; if [ -e /dev/fd/3 ]; then echo fd3=open; else echo fd3=closed; fi; exec ${q(process.execPath)} ${q(IDENTITY)}`;
    const steps = [`aws2fa env login admin ${ALICE.code}`, `aws2fa exec --server readonly -- sh -c ${q(command)} </dev/null`];
    const script = shell.kind === 'fish' ? ['aws2fa init fish | source', ...steps].join('\n') : [`eval "$(aws2fa init ${shell.kind})"`, ...steps].join('\n');
    const result = await runShellAsync(shell, script, world.home, { PATH: context.path, TERM: 'dumb', ...world.env } as Record<string, string>);
    assert.is(result.status, 0, result.stderr);
    const [fd3, json] = result.stdout.split('\n');
    assert.is(fd3, 'fd3=closed');
    const seen = JSON.parse(json!) as { arn: string; accessKeyId: string };
    assert.match(seen.arn, new RegExp(`^arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/readonly/`));
    // One code, at env login; the role exec serves is assumed with the held root session.
    assert.equal(actions(world), ['GetSessionToken', 'AssumeRole', 'AssumeRole', 'GetCallerIdentity']);
    const root = world.fake.issued[0]!;
    const assumed = world.fake.requests[2]!;
    assert.equal([assumed.params.RoleArn, assumed.accessKeyId, assumed.params.TokenCode], [ROLE_ARNS.readonly, root.accessKeyId, undefined]);
    assert.is(seen.accessKeyId, world.fake.assumed[1]!.accessKeyId);
    const env = await readFile(envFile, 'utf8');
    assert.not.ok(env.includes('aws2fa-held') || env.includes(root.secretAccessKey) || /^AWS2FA_(HOOK|HELD_FD)=/m.test(env), 'the command sees the held session or the hook\'s variables');
  });
}

Hook.run();
