import type { AppContext } from '../context.js';
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
  const [credentials, config] = await Promise.all([loadIniFile(files.credentials), loadIniFile(files.config)]);
  const longTerm = longTermKeysFor(credentials.doc, name, files.credentials, credentials.exists);
  const base = { name, credentials, config };
  const profileRegion = profileValue(base, 'region');
  return {
    ...base,
    files,
    longTerm,
    serial: profileValue(base, 'mfa_serial'),
    profileRegion,
    stsRegion: request.region || profileRegion || context.env.AWS_REGION || context.env.AWS_DEFAULT_REGION || 'us-east-1',
  };
}
