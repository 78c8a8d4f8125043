import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv, type RunResult } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { leftovers, runBinaryGuarded } from '../helpers/processes.js';
import { SESSION_MARK } from '../helpers/session-mark.js';
import { findTool } from '../helpers/tools.js';
import { makeWorld, STANDARD_CONFIG, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

// Issue 6, hostile and odd input: each a clear error or the correct result, nothing lost.
const Hostile = suite<{ world: World }>('reliability: hostile and odd files, names and arguments: a clear error or the right result');

Hostile.before.each(async (context) => {
  context.world = await makeWorld();
});
Hostile.after.each(async (context) => {
  await context.world.remove();
});

const LONG_TERM = `aws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n`;
const python = findTool('python3');

async function expectError(world: World, argv: string[], status: number, message: RegExp, env: Record<string, string> = {}): Promise<RunResult> {
  const before = await world.snapshot();
  const requests = world.fake.requests.length;
  const result = await world.aws2fa(argv, { env });
  assert.is(result.status, status, `${argv.join(' ')}: ${result.stderr}`);
  assert.is(result.stdout, '');
  assert.match(result.stderr, message);
  assert.is(result.stderr.split('\n').length, 2, `one line: ${JSON.stringify(result.stderr)}`);
  assert.equal(await world.snapshot(), before, 'both files byte-identical');
  assert.is(world.fake.requests.length, requests, 'refused before any network call');
  return result;
}

// Login then logout must give back every byte; in between the file must say what botocore would read.
async function roundTrip(world: World, profile: string, extraArgs: string[] = []): Promise<string> {
  const before = await world.read(world.credentials);
  const login = await world.aws2fa(['login', profile, ALICE.code, ...extraArgs]);
  assert.is(login.status, 0, `login ${profile}: ${login.stderr}`);
  const during = await world.read(world.credentials);
  const session = world.fake.issued.at(-1)!;
  if (python) {
    const read = botocoreView(during);
    assert.is(read[profile]?.aws_session_token, session.sessionToken, `${profile}: configparser reads the session`);
    assert.is(read[`${profile}::source-profile`]?.aws_secret_access_key, ALICE.secretAccessKey);
  }
  const logout = await world.aws2fa(['logout', profile]);
  assert.is(logout.status, 0, `logout ${profile}: ${logout.stderr}`);
  assert.is(await world.read(world.credentials), before, `${profile}: byte for byte after logout`);
  return during;
}

// What botocore reads: Python's RawConfigParser over the text, universal newlines included.
function botocoreView(text: string): Record<string, Record<string, string>> {
  const script = 'import configparser,json,sys\ncp=configparser.RawConfigParser()\ncp.read_string(sys.stdin.read())\nprint(json.dumps({s: dict(cp.items(s)) for s in cp.sections()}))';
  return JSON.parse(execFileSync(python!, ['-c', script], { input: text.replace(/\r\n?/g, '\n'), encoding: 'utf8' })) as Record<string, Record<string, string>>;
}

Hostile('malformed files name the line: key before any section, unterminated header, duplicate section, duplicate key', async ({ world }) => {
  const cases: Array<[string, RegExp]> = [
    [`aws_access_key_id = x\n[prod]\n${LONG_TERM}`, /credentials line 1: a line before the first \[section\] header/],
    [`[default]\n${LONG_TERM}\n[prod\n${LONG_TERM}`, /credentials line 5: section header \[prod is not of the form \[NAME\]/],
    [`[prod]\n${LONG_TERM}\n[other]\nregion = x\n[prod]\nregion = y\n`, /credentials line 7: section \[prod\] appears twice \(first on line 1\)/],
    [`[prod]\n${LONG_TERM}Aws_Access_Key_Id = again\n`, /credentials line 4: key aws_access_key_id appears twice in \[prod\] \(first on line 2\)/],
  ];
  for (const [text, message] of cases) {
    await world.writeCredentials(text);
    for (const argv of [['login', 'prod', ALICE.code], ['logout', 'prod'], ['status'], ['env', 'login', 'prod', ALICE.code]]) {
      await expectError(world, argv, 1, message);
    }
  }
  await world.writeCredentials(STANDARD_CREDENTIALS);
  await world.writeConfig(`${STANDARD_CONFIG}[profile prod]\nregion = again\n`);
  await expectError(world, ['login', 'prod', ALICE.code], 1, /config line 8: section \[profile prod\] appears twice/);
});

Hostile('a UTF-8 BOM is refused with a clear error, as the AWS CLI cannot read such a file either; nothing changes', async ({ world }) => {
  await world.writeCredentials(`\uFEFF${STANDARD_CREDENTIALS}`);
  for (const argv of [['login', 'prod', ALICE.code], ['logout', 'prod'], ['status']]) {
    await expectError(world, argv, 1, /credentials line 1: the file starts with a UTF-8 byte order mark \(BOM\), which the AWS CLI cannot read; save it as UTF-8 without BOM/);
  }
  await world.writeCredentials(STANDARD_CREDENTIALS);
  await world.writeConfig(`\uFEFF${STANDARD_CONFIG}`);
  await expectError(world, ['login', 'prod', ALICE.code], 1, /config line 1: the file starts with a UTF-8 byte order mark/);
});

Hostile('CRLF, lone CR and mixed line ends: new lines take the file\'s own, every other byte stays, botocore reads it', async ({ world }) => {
  await world.writeCredentials(`# crlf\r\n[default]\r\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\r[prod]\r\n${LONG_TERM.replace(/\n/g, '\r\n')}region = eu-west-1`);
  const during = await roundTrip(world, 'prod');
  assert.ok(during.includes(`region = eu-west-1\r\naws_session_token = `), 'inserted after the last key, with CRLF');
  assert.match(during, new RegExp(`\\[prod::source-profile\\]\\r\\n${LONG_TERM.replace(/\n/g, '\r\n').replace(/[+/=]/g, '\\$&')}${SESSION_MARK.source}$`), 'no final line end added where there was none');
});

// Issue 11, item 3: bytes that are not UTF-8 are refused as botocore refuses them, not rewritten as U+FFFD.
Hostile('a file with bytes that are not UTF-8 is refused naming the line, and stays byte for byte', async ({ world }) => {
  const latin1 = Buffer.concat([Buffer.from(`[default]\n${LONG_TERM}\n`), Buffer.from('# Schl\xfcssel\n', 'latin1'), Buffer.from(`[prod]\n${LONG_TERM}`)]);
  await writeFile(world.credentials, latin1, { mode: 0o600 });
  for (const argv of [['login', 'prod', ALICE.code], ['logout', 'prod'], ['status']]) {
    await expectError(world, argv, 1, /credentials line 5: bytes that are not UTF-8 \(save the file as UTF-8\); fix the file \(the AWS CLI refuses it too\)/);
  }
  assert.ok((await readFile(world.credentials)).equals(latin1), 'not one byte changed');
  await world.writeCredentials(STANDARD_CREDENTIALS);
  await writeFile(world.config, Buffer.concat([Buffer.from('[profile prod]\nregion = eu-west-1\n'), Buffer.from([0x72, 0xc3, 0x28, 0x0a])]));
  await expectError(world, ['login', 'prod', ALICE.code], 1, /config line 3: bytes that are not UTF-8/);
});

Hostile('indented lines after the secret in [prod] go to the backup with it and come back at logout, byte for byte', async ({ world }) => {
  const text = `# mine\n[prod]\n${LONG_TERM}    indented after the secret\n\tand a tab\nregion = eu-west-1\n\n[other]\nregion = x\n`;
  await world.writeCredentials(text);
  assert.is((await world.aws2fa(['login', 'prod', ALICE.code])).status, 0);
  const during = await world.read(world.credentials);
  assert.not.ok(/\[prod\]\n[^[]*indented/.test(during.split('[prod::source-profile]')[0]!), 'not left in [prod], where they would join the session secret');
  assert.ok(during.includes(`[prod::source-profile]\n${LONG_TERM}    indented after the secret\n\tand a tab\n`));
  assert.is((await world.aws2fa(['logout', 'prod'])).status, 0);
  assert.is(await world.read(world.credentials), text);
});

Hostile('a first line ending in a lone CR keeps the blank lines after it through login and logout', async ({ world }) => {
  await world.writeCredentials(`# lone CR\r[prod]\n${LONG_TERM}\n[other]\nregion = x\n`);
  const during = await roundTrip(world, 'prod');
  if (python) assert.equal(Object.keys(botocoreView(during)), ['prod', 'prod::source-profile', 'other']);
});

Hostile('tabs and spaces around = and : are read as botocore reads them and kept as written', async ({ world }) => {
  await world.writeCredentials(`[prod]\naws_access_key_id\t=\t${ALICE.accessKeyId}\naws_secret_access_key   :   ${ALICE.secretAccessKey}\t\nregion=eu-west-1\n`);
  const during = await roundTrip(world, 'prod');
  assert.match(during, /^\[prod\]\naws_access_key_id\t=\tASIA[A-Z0-9]{16}\naws_secret_access_key {3}: {3}\S+\t\nregion=eu-west-1\n/);
});

Hostile('inline # and ; are part of the value, as in botocore: kept byte for byte, and a commented secret fails as in the AWS CLI', async ({ world }) => {
  await world.writeCredentials(`[prod]\n${LONG_TERM}output = json ; pretty # really\n# a full-line comment\n; another\n`);
  const during = await roundTrip(world, 'prod');
  assert.ok(during.includes('output = json ; pretty # really\naws_session_token = '));
  await world.writeCredentials(`[prod]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey} # mine\n`);
  const before = await world.snapshot();
  const result = await world.aws2fa(['login', 'prod', ALICE.code]);
  assert.is(result.status, 1);
  assert.match(result.stderr, /the secret access key does not match access key AKIA…MPLE/);
  assert.equal(await world.snapshot(), before);
  await world.writeCredentials(`[prod]\n${LONG_TERM}region = eu-west-1 # Ireland\n`);
  await expectError(world, ['login', 'prod', ALICE.code], 1, /the region of profile prod, "eu-west-1 # Ireland", is not a region name like eu-west-1; a # or ; comment after a value is part of the value/);
});

Hostile('a 5 MB file with 40 000 profiles and a 1 MB line: login and logout through the binary, byte for byte', async ({ world }) => {
  const profiles = Array.from({ length: 40_000 }, (_, i) => `[p${i}]\naws_access_key_id = AKIA${String(i).padStart(16, '0')}\naws_secret_access_key = ${'s'.repeat(40)}\nregion = eu-west-1\n`);
  profiles.splice(20_000, 0, `[prod]\n${LONG_TERM}`);
  const text = `# ${'x'.repeat(1_000_000)}\n${profiles.join('\n')}`;
  assert.ok(text.length > 5_000_000);
  await world.writeCredentials(text);
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const login = await runBinaryGuarded(['login', 'prod', ALICE.code], env, { guardMs: 60_000 });
  assert.is(login.status, 0, login.stderr);
  const during = await world.read(world.credentials);
  assert.ok(during.includes(`[prod::source-profile]\n${LONG_TERM}`));
  const logout = await runBinaryGuarded(['logout', 'prod'], env, { guardMs: 60_000 });
  assert.is(logout.status, 0, logout.stderr);
  assert.ok((await world.read(world.credentials)) === text, 'byte for byte');
});

const ODD_NAMES = ['my profile', 'acme.prod', 'team::prod', `it's "quoted"`, '$HOME$(id)`id`', 'prod-é-日本-🚀', 'a]b', 'tab\tname'];

Hostile('profile names with spaces, dots, ::, quotes, $, backticks, unicode, ] and tabs: login and logout through the binary', async ({ world }) => {
  await world.writeCredentials(ODD_NAMES.map((name) => `[${name}]\n${LONG_TERM}`).join('\n'));
  const before = await world.read(world.credentials);
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  for (const name of ODD_NAMES) {
    const login = await runBinaryGuarded(['login', name, ALICE.code, '--serial', ALICE.mfaSerial], env);
    assert.is(login.status, 0, `${name}: ${login.stderr}`);
    assert.ok((await world.read(world.credentials)).includes(`[${name}::source-profile]\n${LONG_TERM}`), name);
    if (python) assert.ok(botocoreView(await world.read(world.credentials))[name]?.aws_session_token, `${name}: botocore reads the session`);
  }
  for (const name of ODD_NAMES) assert.is((await runBinaryGuarded(['logout', name], env)).status, 0, name);
  assert.is(await world.read(world.credentials), before);
  assert.equal(await leftovers(world.aws), []);
});

// Since issue 11, two sets of long-term keys are a rotation (the newer ones in [PROFILE] win, see
// test/store/rotation.test.ts); what is not a backup as aws2fa writes one is still refused.
Hostile('a backup section that is not a backup as aws2fa writes one is neither overwritten nor removed: a clear error', async ({ world }) => {
  const theirs = 'aws_access_key_id = AKIASOMEONEELSE00001\naws_secret_access_key = someone/else+secret=\n';
  await world.writeCredentials(`[prod]\n${LONG_TERM}\n[prod::source-profile]\n${theirs}region = us-east-1\n`);
  await expectError(world, ['login', 'prod', ALICE.code], 1, /\[prod::source-profile\] in .* is not a backup of long-term keys as aws2fa writes one/);
  await expectError(world, ['logout', 'prod'], 1, /\[prod::source-profile\] in .* is not a backup of long-term keys as aws2fa writes one/);
  await expectError(world, ['login', 'prod::source-profile', ALICE.code], 1, /\[prod::source-profile\] in .* is where aws2fa keeps the long-term keys of prod/);
});

Hostile('a hand-written empty backup section with a comment is refused at login, never silently lost', async ({ world }) => {
  await world.writeCredentials(`[prod]\n${LONG_TERM}\n[prod::source-profile]\n# mine: keep this header\n\n[other]\nregion = x\n`);
  await expectError(world, ['login', 'prod', ALICE.code], 1, /\[prod::source-profile\] in .* is there but holds no keys: .*; remove it \(or rename it\) and run again/);
  const logout = await world.aws2fa(['logout', 'prod']);
  assert.is(logout.status, 0);
  assert.match(logout.stdout, /prod is not logged in/);
});

Hostile('[profile x] in the credentials file is the profile "profile x", as the AWS CLI reads it, never config\'s [profile x]', async ({ world }) => {
  await world.writeCredentials(`[profile x]\n${LONG_TERM}`);
  await world.writeConfig(`[profile x]\nmfa_serial = arn:aws:iam::123456789012:mfa/not-for-profile-x\n`);
  const config = await world.read(world.config);
  await expectError(world, ['login', 'x', ALICE.code], 1, /profile x of .* has no keys in .*; add its keys with: .*note: \[profile x\] in this file is a profile named "profile x"/);
  await expectError(world, ['login', 'profile x', ALICE.code], 1, /profile profile x has no MFA device/);
  const during = await roundTrip(world, 'profile x', ['--serial', ALICE.mfaSerial]);
  assert.ok(during.includes(`[profile x::source-profile]\n${LONG_TERM}`));
  assert.is(await world.read(world.config), config, 'the config file is untouched');
  const awsCli = findTool('AWS CLI v2', ['/usr/bin/aws']);
  if (awsCli) {
    await world.aws2fa(['login', 'profile x', ALICE.code, '--serial', ALICE.mfaSerial]);
    const exported = execFileSync(awsCli, ['configure', 'export-credentials', '--profile', 'profile x', '--format', 'env'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: world.home, AWS_EC2_METADATA_DISABLED: 'true' },
    });
    assert.ok(exported.includes(`AWS_SESSION_TOKEN=${world.fake.issued.at(-1)!.sessionToken}`), 'the AWS CLI reads the session of "profile x"');
  }
});

Hostile('an mfa_serial that is not an ARN, a code with spaces or 7 digits, a duration in exponent notation', async ({ world }) => {
  await world.writeConfig(STANDARD_CONFIG.replace(ALICE.mfaSerial, 'my phone'));
  await expectError(world, ['login', 'prod', ALICE.code], 2, /the MFA device "my phone" \(mfa_serial of profile prod\) is not a device ARN/);
  await world.writeConfig(STANDARD_CONFIG);
  await expectError(world, ['login', 'prod', '1234567'], 2, /the MFA code must be the 6 digits your device shows now, not "1234567"/);
  await expectError(world, ['login', 'prod', ALICE.code, '--duration', '1e3'], 2, /Invalid value for --duration: expected seconds like 3600, or hours and minutes like 90m, 12h or 1h30m \(got "1e3"\)/);
  const spaced = await world.aws2fa(['login', 'prod', '123 456']);
  assert.is(spaced.status, 0, spaced.stderr);
  assert.is(world.fake.requests.at(-1)!.params.TokenCode, ALICE.code);
});

Hostile('an empty credentials file: login and logout say the profile is missing, status shows no profiles', async ({ world }) => {
  await world.writeCredentials('');
  // (prod is a profile of the config file: its keys are what is missing.)
  await expectError(world, ['login', 'prod', ALICE.code], 1, /profile prod of .*config has no keys in .*credentials; add its keys with: aws configure --profile prod/);
  await expectError(world, ['logout', 'prod'], 1, /profile prod of .*config has no keys in .*credentials; add its keys with: aws configure --profile prod/);
  await world.writeConfig('');
  await expectError(world, ['login', 'prod', ALICE.code], 1, /profile prod is not in .*credentials \(it has no profiles\)/);
  const status = await world.aws2fa(['status']);
  assert.is(status.status, 0);
  assert.match(status.stdout, /\(no profiles\)/);
});

Hostile('a credentials file that is a directory: every command says so, nothing is created or removed', async ({ world }) => {
  await rm(world.credentials);
  await mkdir(world.credentials);
  await writeFile(`${world.credentials}/keep`, 'x');
  for (const argv of [['login', 'prod', ALICE.code], ['logout', 'prod'], ['status'], ['env', 'login', 'prod', ALICE.code]]) {
    await expectError(world, argv, 1, /credentials is a directory, not a file/);
  }
  assert.equal(await leftovers(world.aws), []);
});

Hostile.run();
