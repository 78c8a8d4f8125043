import type { AppContext } from '../context.js';
import { debugFor } from '../debug.js';
import { withConfigAdvice } from '../advice.js';
import { InvalidRegionError } from '../errors.js';
import { shortKey } from '../aws/failures.js';
import { isRegionName } from '../aws/regions.js';
import { configValue } from '../store/config.js';
import { backupSectionFor, longTermKeysFor, type LongTermSource } from '../store/credentials.js';
import { findSection, optionValue } from '../store/ini.js';
import { resolveAwsFiles, type AwsFiles, type FolderOptions } from '../store/paths.js';
import { loadIniFile, type LoadedFile } from '../store/read.js';

export interface ProfileRequest extends FolderOptions {
  profile?: string | undefined;
  region?: string | undefined;
}

export interface ResolvedProfile {
  name: string;
  files: AwsFiles;
  credentials: LoadedFile;
  config: LoadedFile;
  longTerm: LongTermSource;
  serial: string | undefined;
  profileRegion: string | undefined;
  stsRegion: string;
}

export function profileName(request: ProfileRequest, env: Record<string, string | undefined>): string {
  return request.profile || env.AWS_PROFILE || 'default';
}

// A value of the profile the way botocore merges the files: the credentials file wins over the config file.
export function profileValue(resolved: Pick<ResolvedProfile, 'name' | 'credentials' | 'config'>, key: string): string | undefined {
  const credentialsSection = findSection(resolved.credentials.doc, resolved.name);
  const backupSection = findSection(resolved.credentials.doc, backupSectionFor(resolved.name));
  return optionValue(credentialsSection, key) ?? optionValue(backupSection, key) ?? configValue(resolved.config.doc, resolved.name, key);
}

export async function resolveProfile(context: AppContext, request: ProfileRequest): Promise<ResolvedProfile> {
  const name = profileName(request, context.env);
  const files = resolveAwsFiles(request, context.env, context.home);
  const [credentials, config] = [loadIniFile(files.credentials), loadIniFile(files.config)];
  const longTerm = withConfigAdvice(name, files, () => longTermKeysFor(credentials.doc, name, files.credentials, credentials.exists));
  const base = { name, credentials, config };
  const profileRegion = profileValue(base, 'region');
  const [stsRegion, regionFrom] = firstOf([
    [request.region, '--region'],
    [profileRegion, 'the profile'],
    [context.env.AWS_REGION, 'AWS_REGION'],
    [context.env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION'],
    ['us-east-1', 'the default'],
  ]);
  checkRegion(stsRegion, regionFrom, name);
  const serial = profileValue(base, 'mfa_serial');
  const debug = debugFor(context);
  debug.secret(longTerm.keys.secretAccessKey);
  debug(`credentials file ${files.credentials}${credentials.exists ? '' : ' (missing)'}, config file ${files.config}${config.exists ? '' : ' (missing)'}`);
  debug(
    `profile ${name}: long-term key ${shortKey(longTerm.keys.accessKeyId)} from [${longTerm.from === 'profile' ? name : backupSectionFor(name)}], ` +
      `mfa_serial ${serial ?? '(none)'}, STS region ${stsRegion} (from ${regionFrom})`,
  );
  return { ...base, files, longTerm, serial, profileRegion, stsRegion };
}

// Checked before the code is spent. botocore keeps an inline `# comment` in the value, and so do we: say so,
// rather than let the SDK refuse "eu-west-1 # Ireland" as a hostname.
function checkRegion(region: string, from: string, profile: string): void {
  if (isRegionName(region)) return;
  const where = from === 'the profile' ? `the region of profile ${profile}` : from;
  const comment = /[#;]/.test(region) ? `; a # or ; comment after a value is part of the value in AWS files, as the AWS CLI reads them` : '';
  throw new InvalidRegionError(`${where}, ${JSON.stringify(region)}, is not a region name like eu-west-1${comment}`, from === '--region' ? 2 : 1);
}

function firstOf(candidates: Array<[string | undefined, string]>): [string, string] {
  const found = candidates.find(([value]) => value);
  return [found?.[0] ?? 'us-east-1', found?.[1] ?? 'the default'];
}
