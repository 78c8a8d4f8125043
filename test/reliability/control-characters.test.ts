import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BINARY, cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

// Issue 17: names from the files and the environment (section names, source_profile values, AWS2FA_PROFILE,
// AWS2FA_ROOT_PROFILE) reach the terminal in status, errors, env logout and renewal: without C0, DEL or C1, also
// when the environment holds invalid UTF-8 (a lone 0x9b byte is CSI to a terminal reading 8-bit controls).
const Control = suite<{ world: World }>('reliability: no control character from a file or the environment reaches the terminal');

Control.before.each(async (context) => {
  context.world = await makeWorld();
});
Control.after.each(async (context) => {
  await context.world.remove();
});

// Bytes, not strings: what the terminal would get. Line feeds are ours; nothing else below 0x20, no DEL, no byte
// 0x80–0x9f on its own (C1 as one byte), no U+0080–U+009F (C1 in UTF-8).
function assertClean(output: Buffer, what: string): void {
  const bytes = [...output];
  assert.not.ok(bytes.some((byte) => (byte < 0x20 && byte !== 0x0a) || byte === 0x7f), `${what}: a C0 control or DEL in ${JSON.stringify(output.toString('latin1'))}`);
  assert.not.ok(/[\u0080-\u009f]/.test(output.toString('utf8')), `${what}: a C1 control in ${JSON.stringify(output.toString('utf8'))}`);
  assert.not.ok(bytes.some((byte, i) => byte >= 0x80 && byte <= 0x9f && !(bytes[i - 1]! >= 0xc0 || (bytes[i - 1]! >= 0x80 && bytes[i - 1]! <= 0xbf))), `${what}: a lone C1 byte`);
}

// Runs the built binary with variables set by the shell from printf escapes: raw bytes, invalid UTF-8 included.
function run(world: World, assignments: Record<string, string>, argv: string[]): { status: number | null; stdout: Buffer; stderr: Buffer } {
  const exports = Object.entries(assignments).map(([name, escapes]) => `${name}="$(printf '${escapes}')"; export ${name}; `).join('');
  const script = `${exports}exec "$0" "$@"`;
  const result = spawnSync('/bin/sh', ['-c', script, process.execPath, BINARY, ...argv], {
    env: cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }) as NodeJS.ProcessEnv,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// ESC-based CSI and OSC (removed whole, title included), CSI as one C1 byte (invalid UTF-8 on its own), C1 in UTF-8, DEL, BEL, a line break.
const HOSTILE = {
  AWS2FA_PROFILE: 'p\\233[2Jone\\033]0;owned\\007\\302\\233[31m\\177end',
  AWS2FA_ROOT_PROFILE: 'r\\233[2Jroot\\033[31m\\nforged',
};

Control('status: AWS2FA_PROFILE and AWS2FA_ROOT_PROFILE with raw escapes and invalid UTF-8 are shown without controls', async ({ world }) => {
  const expires = String(Math.floor(Date.now() / 1000) + 3600);
  const session = { AWS_SESSION_TOKEN: 'token', AWS2FA_EXPIRES: expires, AWS2FA_ROOT_EXPIRES: expires };
  const table = run(world, { ...HOSTILE, ...session }, ['status']);
  assert.is(table.status, 0, table.stderr.toString());
  assertClean(table.stdout, 'status');
  assert.match(table.stdout.toString(), /^this shell: p.*one.*end env session until .*, role via r.*root forged \((?:\d+h)?\d+m left\)$/m);
  const json = run(world, { ...HOSTILE, ...session }, ['status', '--json']);
  assert.is(json.status, 0, json.stderr.toString());
  assertClean(json.stdout, 'status --json');
  const parsed = JSON.parse(json.stdout.toString()) as { shell: { profile: string } };
  assert.ok(parsed.shell.profile.includes('\u001b]0;owned\u0007\u009b[31m\u007fend'), 'JSON keeps the value exact, escaped');
});

Control('env logout: AWS2FA_PROFILE with raw escapes is named without controls; the code printed is clean too', async ({ world }) => {
  const result = run(world, HOSTILE, ['env', 'logout', '--shell', 'bash']);
  assert.is(result.status, 0, result.stderr.toString());
  assertClean(result.stderr, 'env logout stderr');
  assertClean(result.stdout, 'env logout stdout');
  assert.match(result.stderr.toString(), /^This shell's session of p.*one.*end ends\.\n$/);
});

Control('renewal (env login --renew) of a profile named with escapes: the error line has none', async ({ world }) => {
  // As the hook runs it: the profile from AWS2FA_PROFILE, as an argument.
  const named = spawnSync('/bin/sh', ['-c', `exec "$0" "$1" env login --renew --shell bash -- "$(printf '${HOSTILE.AWS2FA_PROFILE}')"`, process.execPath, BINARY], {
    env: cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }) as NodeJS.ProcessEnv,
  });
  assert.is(named.status, 1, named.stderr.toString());
  assert.is(named.stdout.length, 0);
  assertClean(named.stderr, 'renewal error');
  assert.match(named.stderr.toString(), /^aws2fa: .*p.*one.*end.*\n$/);
  assert.is(named.stderr.toString().split('\n').length, 2, 'one line');
});

Control('status: section names holding escapes, C1 and DEL are listed without them; --json keeps them exact, escaped', async ({ world }) => {
  const names = ['osc\u001b]0;owned\u0007', 'csi\u009b2Jc1', 'del\u007fx', 'bidi\u202eeman'];
  const keys = `aws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = s\n`;
  await world.writeCredentials(`${STANDARD_CREDENTIALS}${names.map((name) => `[${name}]\n${keys}`).join('\n')}`);
  const table = run(world, {}, ['status']);
  assert.is(table.status, 0, table.stderr.toString());
  assertClean(table.stdout, 'status');
  for (const shown of ['osc', 'csic1', 'delx', 'bidieman']) assert.match(table.stdout.toString(), new RegExp(`^${shown} +long-term$`, 'm'));
  const json = run(world, {}, ['status', '--json']);
  assertClean(json.stdout, 'status --json');
  assert.not.ok(json.stdout.toString().includes('\u202e'), 'the bidi override escaped');
  assert.equal((JSON.parse(json.stdout.toString()) as { profiles: Array<{ name: string }> }).profiles.map((p) => p.name).slice(-4), names);
});

Control('a source_profile value with escapes and C1: the error names it without them, one line', async ({ world }) => {
  await world.writeConfig(`[profile r]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = gone\u001b[2J\u009b31m\u001b]0;t\u0007here\n`);
  const result = run(world, {}, ['login', 'r', ALICE.code]);
  assert.is(result.status, 1, result.stderr.toString());
  assertClean(result.stderr, 'error');
  assert.match(result.stderr.toString(), /^aws2fa: .*gonehere.*\n$/);
  assert.is(result.stderr.toString().split('\n').length, 2);
});

Control('AWS_PROFILE with raw escapes naming no profile: the error shows it without them', async ({ world }) => {
  const result = run(world, { AWS_PROFILE: 'no\\033[2Jsuch\\233[31m' }, ['login', ALICE.code]);
  assert.is(result.status, 1, result.stderr.toString());
  assertClean(result.stderr, 'error');
  assert.match(result.stderr.toString(), /profile no.*such/);
});

Control.run();
