// Profiles resolved into chains the way botocore merges the two files, and every chain error before any request.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RoleProfileError } from '../../src/errors.js';
import { defaultSessionName, resolveChain, type ProfileFiles } from '../../src/profiles/chain.js';
import { parseIni } from '../../src/store/ini.js';
import { rejection } from '../helpers/reject.js';

const Chain = suite('profiles/chain: a named profile down to its root');

function files(credentials: string, config: string): ProfileFiles {
  return { credentialsPath: '/h/.aws/credentials', configPath: '/h/.aws/config', credentials: parseIni(credentials, 'c'), config: parseIni(config, 'f') };
}

const KEYS = 'aws_access_key_id = AKIAEXAMPLE000000001\naws_secret_access_key = s\n';
const role = (name: string, source: string, extra = '') => `[profile ${name}]\nrole_arn = arn:aws:iam::210987654321:role/${name.replace(/\W/g, '')}\nsource_profile = ${source}\n${extra}`;

async function chainError(f: ProfileFiles, name: string): Promise<string> {
  return (await rejection(() => resolveChain(f, name), RoleProfileError)).message;
}

Chain('a plain profile is a chain of no hops, its own root', () => {
  const chain = resolveChain(files(`[prod]\n${KEYS}`, '[profile prod]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n'), 'prod');
  assert.is(chain.root, 'prod');
  assert.equal(chain.hops, []);
  assert.equal(chain.serial, { value: 'arn:aws:iam::123456789012:mfa/alice', profile: 'prod' });
  assert.is(chain.durationSeconds, undefined);
});

Chain('two hops, root first; mfa_serial and mfa_process the first along the chain from the named profile', () => {
  const config = [
    '[profile base]\nmfa_serial = arn:aws:iam::123456789012:mfa/base\nmfa_process = echo 111111\n',
    role('admin', 'base', 'mfa_serial = arn:aws:iam::123456789012:mfa/admin\nexternal_id = ext-1\nrole_session_name = me\n'),
    role('deep', 'admin', 'duration_seconds = 1800\n'),
  ].join('\n');
  const chain = resolveChain(files(`[base]\n${KEYS}`, config), 'deep');
  assert.is(chain.root, 'base');
  assert.equal(chain.hops.map((hop) => hop.profile), ['admin', 'deep']);
  assert.equal(chain.hops[0], { profile: 'admin', roleArn: 'arn:aws:iam::210987654321:role/admin', externalId: 'ext-1', roleSessionName: 'me' });
  assert.equal(chain.serial, { value: 'arn:aws:iam::123456789012:mfa/admin', profile: 'admin' });
  assert.is(chain.mfaProcess, 'echo 111111');
  assert.is(chain.durationSeconds, 1800);
});

Chain('the credentials file [NAME] is merged over the config file, as botocore does; [default] and quoted names', () => {
  const credentials = `[base]\n${KEYS}\n[admin]\nrole_arn = arn:aws:iam::210987654321:role/fromcredentials\nsource_profile = base\n`;
  const chain = resolveChain(files(credentials, role('admin', 'nope')), 'admin');
  assert.is(chain.hops[0]!.roleArn, 'arn:aws:iam::210987654321:role/fromcredentials');
  assert.is(resolveChain(files(`[default]\n${KEYS}`, role('"a b"', 'default')), 'a b').root, 'default');
  // botocore reads [profile a b] as no profile at all: "a b" is then a plain profile (that has no keys).
  assert.equal(resolveChain(files(`[default]\n${KEYS}`, role('a b', 'default')), 'a b').hops, []);
  // [default] in the config file is the default profile; [profile default] too.
  const viaDefault = resolveChain(files(`[base]\n${KEYS}`, '[default]\nrole_arn = arn:aws:iam::210987654321:role/d\nsource_profile = base\n'), 'default');
  assert.is(viaDefault.hops[0]!.roleArn, 'arn:aws:iam::210987654321:role/d');
});

Chain('a role profile naming itself as source_profile with keys of its own is its own root (botocore allows it)', () => {
  const chain = resolveChain(files(`[self]\n${KEYS}`, role('self', 'self')), 'self');
  assert.is(chain.root, 'self');
  assert.is(chain.hops.length, 1);
});

Chain('errors name the profile: cycle, missing source, no source_profile, more than 10 hops', async () => {
  assert.match(await chainError(files('', [role('a', 'b'), role('b', 'a')].join('\n')), 'a'), /^profile a: source_profile makes a cycle \(a → b → a\)/);
  assert.match(
    await chainError(files('', role('a', 'gone')), 'a'),
    /^source_profile of profile a is gone, which is neither in \/h\/.aws\/credentials nor in \/h\/.aws\/config$/,
  );
  assert.match(await chainError(files('', '[profile a]\nrole_arn = arn:aws:iam::210987654321:role/a\n'), 'a'), /^profile a has role_arn but no source_profile/);
  const eleven = Array.from({ length: 11 }, (_, i) => role(`r${i}`, i === 10 ? 'base' : `r${i + 1}`)).join('\n');
  assert.match(await chainError(files(`[base]\n${KEYS}`, eleven), 'r0'), /^profile r0 is a chain of more than 10 roles/);
  const ten = Array.from({ length: 10 }, (_, i) => role(`r${i}`, i === 9 ? 'base' : `r${i + 1}`)).join('\n');
  assert.is(resolveChain(files(`[base]\n${KEYS}`, ten), 'r0').hops.length, 10);
});

Chain('credential_source, web identity and SSO profiles are refused, wherever they are in the chain', async () => {
  const cases: Array<[string, RegExp]> = [
    ['[profile a]\nrole_arn = arn:aws:iam::210987654321:role/a\ncredential_source = Environment\n', /^profile a takes its credentials from credential_source/],
    ['[profile a]\nrole_arn = arn:aws:iam::210987654321:role/a\nweb_identity_token_file = /t\n', /^profile a takes its credentials from web_identity_token_file/],
    [`${role('a', 'sso')}\n[profile sso]\nsso_session = corp\nsso_account_id = 1\n`, /^profile sso takes its credentials from SSO \(sso_session\)/],
    ['[profile a]\nsso_start_url = https://x.awsapps.com/start\n', /^profile a takes its credentials from SSO \(sso_start_url\)/],
  ];
  for (const [config, message] of cases) assert.match(await chainError(files('', config), 'a'), message);
});

Chain('role_arn, external_id, role_session_name and duration_seconds are checked', async () => {
  const bad: Array<[string, RegExp]> = [
    ['[profile a]\nrole_arn = admin\nsource_profile = b\n', /^role_arn of profile a, "admin", is not a role ARN/],
    [role('a', 'b', 'external_id = x\n'), /^external_id of profile a must be 2–1224 characters/],
    [role('a', 'b', 'role_session_name = alice smith\n'), /^role_session_name of profile a, "alice smith", must be 2–64 characters/],
    [role('a', 'b', 'duration_seconds = 1h\n'), /^duration_seconds of profile a, "1h", must be whole seconds from 900 to 43200/],
    [role('a', 'b', 'duration_seconds = 50000\n'), /^duration_seconds of profile a, "50000"/],
  ];
  for (const [config, message] of bad) assert.match(await chainError(files(`[b]\n${KEYS}`, config), 'a'), message);
});

Chain('the default role session name is the IAM user of the MFA serial, else aws2fa', () => {
  assert.is(defaultSessionName('arn:aws:iam::123456789012:mfa/alice'), 'alice');
  assert.is(defaultSessionName('arn:aws:iam::123456789012:mfa/team/alice.smith@corp'), 'alice.smith@corp');
  assert.is(defaultSessionName(`arn:aws:iam::123456789012:mfa/${'x'.repeat(80)}`), 'x'.repeat(64));
  assert.is(defaultSessionName('arn:aws:iam::123456789012:mfa/a'), 'aws2fa');
  assert.is(defaultSessionName('GAHT12345678'), 'aws2fa');
  assert.is(defaultSessionName(undefined), 'aws2fa');
});

Chain.run();
