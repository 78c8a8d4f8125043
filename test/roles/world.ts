import { ALICE } from '../helpers/home.js';
import { makeWorld, type World } from '../helpers/world.js';
import type { FakeRole } from '../helpers/aws-endpoint.js';

// Alice's long-term keys in [base] (account 123456789012); roles in a second account that trust her with MFA.
export const OTHER_ACCOUNT = '210987654321';
export const ROLE_ARNS = {
  admin: `arn:aws:iam::${OTHER_ACCOUNT}:role/admin`,
  readonly: `arn:aws:iam::${OTHER_ACCOUNT}:role/readonly`,
  deep: `arn:aws:iam::${OTHER_ACCOUNT}:role/deep`,
  partner: `arn:aws:iam::${OTHER_ACCOUNT}:role/partner`,
  long: `arn:aws:iam::${OTHER_ACCOUNT}:role/long`,
};

export const ROLES: FakeRole[] = [
  { arn: ROLE_ARNS.admin, trust: ['123456789012'], requireMfa: true },
  { arn: ROLE_ARNS.readonly, trust: ['arn:aws:iam::123456789012:user/alice'], requireMfa: true },
  { arn: ROLE_ARNS.deep, trust: [ROLE_ARNS.admin] },
  { arn: ROLE_ARNS.partner, trust: ['123456789012'], externalId: 'ext-42' },
  { arn: ROLE_ARNS.long, trust: ['123456789012'], requireMfa: true, maxSessionDuration: 43200 },
];

export const ROLES_CREDENTIALS = ['[base]', `aws_access_key_id = ${ALICE.accessKeyId}`, `aws_secret_access_key = ${ALICE.secretAccessKey}`, ''].join('\n');

export const ROLES_CONFIG = [
  '[profile base]',
  'region = us-east-1',
  `mfa_serial = ${ALICE.mfaSerial}`,
  '',
  '[profile admin]',
  `role_arn = ${ROLE_ARNS.admin}`,
  'source_profile = base',
  'region = eu-central-1',
  '',
  '[profile readonly]',
  `role_arn = ${ROLE_ARNS.readonly}`,
  'source_profile = base',
  '',
  '[profile deep]',
  `role_arn = ${ROLE_ARNS.deep}`,
  'source_profile = admin',
  '',
  '[profile partner]',
  `role_arn = ${ROLE_ARNS.partner}`,
  'source_profile = base',
  'external_id = ext-42',
  '',
  '[profile long]',
  `role_arn = ${ROLE_ARNS.long}`,
  'source_profile = base',
  'duration_seconds = 7200',
  '',
].join('\n');

export async function makeRolesWorld(files: { credentials?: string; config?: string } = {}): Promise<World> {
  const world = await makeWorld({ credentials: files.credentials ?? ROLES_CREDENTIALS, config: files.config ?? ROLES_CONFIG });
  for (const role of ROLES) world.fake.addRole(role);
  return world;
}

// `export NAME='value'` lines of POSIX env login output (values here never hold a quote).
export function exportsOf(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => /^export (\w+)='(.*)'$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1]!, match[2]!]),
  );
}

export function actions(world: World): string[] {
  return world.fake.requests.map((request) => request.action);
}
