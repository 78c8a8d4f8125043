import { RoleProfileError } from '../errors.js';
import { configSection, configValue } from '../store/config.js';
import { backupSectionFor } from '../store/credentials.js';
import { findSection, optionValue, type IniDocument } from '../store/ini.js';

// A named profile as botocore sees it: the credentials file's [NAME] merged over the config file's
// [profile NAME] / [default], followed through source_profile down to the root that holds long-term keys.

export interface ProfileFiles {
  credentialsPath: string;
  configPath: string;
  credentials: IniDocument;
  config: IniDocument;
}

export interface RoleHop {
  profile: string;
  roleArn: string;
  externalId: string | undefined;
  roleSessionName: string | undefined;
}

export interface ProfileChain {
  name: string;
  root: string;
  /** From the root's own role outwards; the last one is the named profile. Empty for a plain profile. */
  hops: RoleHop[];
  /** The first mfa_serial from the named profile down to the root, and where it was found. */
  serial: { value: string; profile: string } | undefined;
  mfaProcess: string | undefined;
  /** duration_seconds of the named profile (only read for role profiles) */
  durationSeconds: number | undefined;
}

export const MAX_HOPS = 10;

const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
export const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

// Sources of credentials aws2fa cannot start from: they need no MFA session, or come from another service.
const FOREIGN_SOURCES: Array<[string, string]> = [
  ['credential_source', 'credential_source (keys from the environment or an instance role)'],
  ['web_identity_token_file', 'web_identity_token_file (web identity)'],
  ['sso_session', 'SSO (sso_session)'],
  ['sso_start_url', 'SSO (sso_start_url)'],
  ['sso_account_id', 'SSO (sso_account_id)'],
  ['sso_role_name', 'SSO (sso_role_name)'],
];

export function profileValue(files: ProfileFiles, profile: string, key: string): string | undefined {
  return (
    optionValue(findSection(files.credentials, profile), key) ??
    optionValue(findSection(files.credentials, backupSectionFor(profile)), key) ??
    configValue(files.config, profile, key)
  );
}

function profileExists(files: ProfileFiles, profile: string): boolean {
  return (
    findSection(files.credentials, profile) !== undefined ||
    findSection(files.credentials, backupSectionFor(profile)) !== undefined ||
    configSection(files.config, profile) !== undefined
  );
}

export function isRoleProfile(files: ProfileFiles, profile: string): boolean {
  return profileValue(files, profile, 'role_arn') !== undefined;
}

function checkSources(files: ProfileFiles, profile: string): void {
  for (const [key, what] of FOREIGN_SOURCES) {
    if (profileValue(files, profile, key) !== undefined) {
      throw new RoleProfileError(
        `profile ${profile} takes its credentials from ${what}, not from long-term keys: aws2fa makes MFA sessions from ` +
          `long-term keys only; use the tool meant for it (e.g. aws sso login), or remove ${key} from the profile`,
      );
    }
  }
}

function roleHop(files: ProfileFiles, profile: string, roleArn: string): RoleHop {
  if (!ROLE_ARN.test(roleArn)) {
    throw new RoleProfileError(`role_arn of profile ${profile}, ${JSON.stringify(roleArn)}, is not a role ARN like arn:aws:iam::123456789012:role/admin`);
  }
  const externalId = profileValue(files, profile, 'external_id');
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    throw new RoleProfileError(`external_id of profile ${profile} must be 2–1224 characters of letters, digits and _+=,.@:/-`);
  }
  const roleSessionName = profileValue(files, profile, 'role_session_name');
  if (roleSessionName !== undefined && !ROLE_SESSION_NAME.test(roleSessionName)) {
    throw new RoleProfileError(
      `role_session_name of profile ${profile}, ${JSON.stringify(roleSessionName)}, must be 2–64 characters of letters, digits and _+=,.@- (AWS refuses others)`,
    );
  }
  return { profile, roleArn, externalId, roleSessionName };
}

function durationOf(files: ProfileFiles, profile: string): number | undefined {
  const text = profileValue(files, profile, 'duration_seconds');
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || seconds < 900 || seconds > 43200) {
    throw new RoleProfileError(`duration_seconds of profile ${profile}, ${JSON.stringify(text)}, must be whole seconds from 900 to 43200 (AWS's limits for a role)`);
  }
  return seconds;
}

function sourceOf(files: ProfileFiles, profile: string): string {
  if (profileValue(files, profile, 'credential_source') !== undefined) checkSources(files, profile);
  const source = profileValue(files, profile, 'source_profile');
  if (!source) {
    throw new RoleProfileError(`profile ${profile} has role_arn but no source_profile: name the profile whose keys assume the role (source_profile = NAME)`);
  }
  if (!profileExists(files, source)) {
    throw new RoleProfileError(
      `source_profile of profile ${profile} is ${source}, which is neither in ${files.credentialsPath} nor in ${files.configPath}`,
    );
  }
  return source;
}

// Walks source_profile from the named profile down to the root. Everything is checked here, before any request.
// botocore lets a role profile name itself as source_profile when it has keys of its own: those keys are its root.
export function resolveChain(files: ProfileFiles, name: string): ProfileChain {
  const hops: RoleHop[] = [];
  const visited: string[] = [];
  let current = name;
  for (;;) {
    checkSources(files, current);
    visited.push(current);
    const roleArn = profileValue(files, current, 'role_arn');
    if (roleArn === undefined) break;
    if (hops.length === MAX_HOPS) {
      throw new RoleProfileError(`profile ${name} is a chain of more than ${MAX_HOPS} roles (${visited.join(' → ')} …): shorten the chain`);
    }
    hops.unshift(roleHop(files, current, roleArn));
    const source = sourceOf(files, current);
    if (source === current) break;
    if (visited.includes(source)) {
      throw new RoleProfileError(`profile ${name}: source_profile makes a cycle (${[...visited, source].join(' → ')}); end the chain at a profile with long-term keys`);
    }
    current = source;
  }
  const serialProfile = [...visited].find((profile) => profileValue(files, profile, 'mfa_serial') !== undefined);
  const mfaProcess = visited.map((profile) => profileValue(files, profile, 'mfa_process')).find((value) => value !== undefined);
  return {
    name,
    root: current,
    hops,
    serial: serialProfile === undefined ? undefined : { value: profileValue(files, serialProfile, 'mfa_serial')!, profile: serialProfile },
    mfaProcess,
    durationSeconds: hops.length > 0 ? durationOf(files, name) : undefined,
  };
}

// `arn:aws:iam::123456789012:mfa/alice` → alice; AWS's RoleSessionName allows 2–64 of [\w+=,.@-].
export function defaultSessionName(serial: string | undefined): string {
  const user = /^arn:aws[\w-]*:iam::\d{12}:mfa\/(?:.*\/)?([^/]+)$/.exec(serial ?? '')?.[1] ?? '';
  const name = user.replace(/[^\w+=,.@-]/g, '').slice(0, 64);
  return name.length >= 2 ? name : 'aws2fa';
}
