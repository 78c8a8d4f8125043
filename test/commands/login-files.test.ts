import { chmod, lstat, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import { makeWorld, type World } from '../helpers/world.js';

const Files = suite<{ world: World }>('commands/login: everything else in the file stays byte for byte');

Files.before.each(async (context) => {
  context.world = await makeWorld();
});
Files.after.each(async (context) => {
  await context.world.remove();
});

// The shapes people's files really have: comments of both kinds, CRLF, dotted and spaced names, `key: value`,
// nested blocks, values with = # / +, and a stale aws_security_token.
const ODD = [
  '; managed by hand',
  '[acme.prod]',
  `AWS_ACCESS_KEY_ID: ${ALICE.accessKeyId}`,
  `aws_secret_access_key=${ALICE.secretAccessKey}`,
  's3 =',
  '    addressing_style = path',
  'note = a#b;c=d/e+f',
  '',
  '# between',
  '[my team]',
  'aws_access_key_id = AKIAOTHERTEAM0000001',
  'aws_secret_access_key = other+secret/==',
  '',
].join('\r\n');

Files('odd but valid files: dotted names, CRLF, `key: value`, nested blocks, comments survive a round trip', async ({ world }) => {
  await world.writeCredentials(ODD);
  const before = await world.snapshot();
  const login = await world.aws2fa(['login', 'acme.prod', '123456', '--serial', ALICE.mfaSerial]);
  assert.is(login.status, 0, login.stderr);
  const during = await world.read(world.credentials);
  assert.ok(!/[^\r]\n/.test(during), 'CRLF everywhere');
  assert.ok(during.startsWith(`; managed by hand\r\n[acme.prod]\r\nAWS_ACCESS_KEY_ID: ASIA`));
  assert.ok(during.includes('note = a#b;c=d/e+f\r\naws_session_token = '));
  assert.ok(during.includes(`[acme.prod::source-profile]\r\naws_access_key_id = ${ALICE.accessKeyId}\r\naws_secret_access_key = ${ALICE.secretAccessKey}\r\n`));
  assert.ok(during.endsWith('# between\r\n[my team]\r\naws_access_key_id = AKIAOTHERTEAM0000001\r\naws_secret_access_key = other+secret/==\r\n'));
  assert.is((await world.aws2fa(['logout', 'acme.prod'])).status, 0);
  assert.equal(await world.snapshot(), before);
});

Files('a stale aws_security_token goes at login', async ({ world }) => {
  await world.writeCredentials(`[prod]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\naws_security_token = STALE\n`);
  assert.is((await world.aws2fa(['login', 'prod', '123456'])).status, 0);
  assert.not.match(await world.read(world.credentials), /aws_security_token|STALE/);
});

Files('a symlinked credentials file stays a symlink and its target is updated', async ({ world }) => {
  const real = join(world.home, 'dotfiles-credentials');
  await writeFile(real, await world.read(world.credentials), { mode: 0o600 });
  const { rm } = await import('node:fs/promises');
  await rm(world.credentials);
  await symlink(real, world.credentials);
  assert.is((await world.aws2fa(['login', 'prod', '123456'])).status, 0);
  assert.ok((await lstat(world.credentials)).isSymbolicLink());
  assert.is(await readlink(world.credentials), real);
  assert.match(await world.read(real), /\[prod::source-profile\]/);
  assert.equal((await readdir(world.home)).filter((name) => name.includes('aws2fa')), [], 'no temp or lock files left');
});

Files('the file keeps mode 0600; a wider mode is kept with a warning', async ({ world }) => {
  assert.is((await world.aws2fa(['login', 'prod', '123456'])).status, 0);
  assert.is(await world.mode(world.credentials), 0o600);
  await chmod(world.credentials, 0o644);
  const result = await world.aws2fa(['logout', 'prod']);
  assert.is(result.status, 0);
  assert.is(await world.mode(world.credentials), 0o644);
  assert.match(result.stderr, /warning: .*credentials can be read by other users: chmod 600/);
  assert.equal((await readdir(world.aws)).sort(), ['config', 'credentials']);
});

Files('a read-only credentials file or folder is a clear error and nothing changes', async ({ world }) => {
  const before = await world.snapshot();
  await chmod(world.credentials, 0o400);
  let result = await world.aws2fa(['login', 'prod', '123456']);
  assert.is(result.status, 1);
  assert.match(result.stderr, /credentials is read-only: make it writable \(chmod u\+w\) and run again/);
  await chmod(world.credentials, 0o600);
  await chmod(world.aws, 0o500);
  result = await world.aws2fa(['login', 'prod', '123456']);
  await chmod(world.aws, 0o700);
  assert.is(result.status, 1);
  assert.match(result.stderr, /folder .*\.aws is read-only|cannot create a lock file/);
  assert.equal(await world.snapshot(), before);
});

Files.run();
