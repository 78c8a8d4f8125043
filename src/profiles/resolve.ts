import { configureCommand, explainedByConfig, explainedByFiles } from '../advice.js';
import type { AppContext } from '../context.js';
import { debugFor } from '../debug.js';
import { InvalidRegionError, NoLongTermKeysError, RoleProfileError, UnknownProfileError } from '../errors.js';
import { shortKey } from '../aws/failures.js';
import { isRegionName } from '../aws/regions.js';
import { backupSectionFor, longTermKeysFor, type LongTermSource } from '../store/credentials.js';
import { resolveAwsFiles, type AwsFiles, type FolderOptions } from '../store/paths.js';
import { loadIniFile, type LoadedFile } from '../store/read.js';
import { profileValue, resolveChain, type ProfileChain, type ProfileFiles, type RoleHop } from './chain.js';

export interface ProfileRequest extends FolderOptions {
  profile?: string | undefined;
  region?: string | undefined;
}

// A named profile ready for STS: its chain (no hops for a plain profile), the root's long-term keys and the region.
export interface ResolvedProfile {
  name: string;
  files: AwsFiles;
  credentials: LoadedFile;
  config: LoadedFile;
  /** the profile with the long-term keys: the named profile itself unless it is a role profile */
  root: string;
  hops: RoleHop[];
  longTerm: LongTermSource;
  serial: string | undefined;
  /** the profile mfa_serial was found in */
  serialProfile: string | undefined;
  mfaProcess: string | undefined;
  durationSeconds: number | undefined;
  profileRegion: string | undefined;
  stsRegion: string;
}

export function profileName(request: ProfileRequest, env: Record<string, string | undefined>): string {
  return request.profile || env.AWS_PROFILE || 'default';
}

export function profileFiles(files: AwsFiles, credentials: LoadedFile, config: LoadedFile): ProfileFiles {
  return { credentialsPath: files.credentials, configPath: files.config, credentials: credentials.doc, config: config.doc };
}

export interface ReadChain {
  files: AwsFiles;
  credentials: LoadedFile;
  config: LoadedFile;
  chain: ProfileChain;
}

// The files and the chain only: what logout needs, without the root's keys.
export function readChain(context: AppContext, request: ProfileRequest): ReadChain {
  const name = profileName(request, context.env);
  const files = resolveAwsFiles(request, context.env, context.home);
  const [credentials, config] = [loadIniFile(files.credentials), loadIniFile(files.config)];
  return { files, credentials, config, chain: resolveChain(profileFiles(files, credentials, config), name) };
}

export async function resolveProfile(context: AppContext, request: ProfileRequest): Promise<ResolvedProfile> {
  const { files, credentials, config, chain } = readChain(context, request);
  const name = chain.name;
  const longTerm = rootKeys(chain, files, credentials);
  const profileRegion = profileValue(profileFiles(files, credentials, config), name, 'region');
  const [stsRegion, regionFrom] = firstOf([
    [request.region, '--region'],
    [profileRegion, 'the profile'],
    [context.env.AWS_REGION, 'AWS_REGION'],
    [context.env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION'],
    ['us-east-1', 'the default'],
  ]);
  checkRegion(stsRegion, regionFrom, name);
  const serial = chain.serial?.value;
  const debug = debugFor(context);
  debug.secret(longTerm.keys.secretAccessKey);
  debug(`credentials file ${files.credentials}${credentials.exists ? '' : ' (missing)'}, config file ${files.config}${config.exists ? '' : ' (missing)'}`);
  if (chain.hops.length > 0) debug(`profile ${name}: role chain ${[chain.root, ...chain.hops.map((hop) => `${hop.profile} (${hop.roleArn})`)].join(' → ')}`);
  debug(
    `profile ${chain.root}: long-term key ${shortKey(longTerm.keys.accessKeyId)} from [${longTerm.from === 'profile' ? chain.root : backupSectionFor(chain.root)}], ` +
      `mfa_serial ${serial ?? '(none)'}, STS region ${stsRegion} (from ${regionFrom})`,
  );
  return {
    name,
    files,
    credentials,
    config,
    root: chain.root,
    hops: chain.hops,
    longTerm,
    serial,
    serialProfile: chain.serial?.profile,
    mfaProcess: chain.mfaProcess,
    durationSeconds: chain.durationSeconds,
    profileRegion,
    stsRegion,
  };
}

// A plain profile keeps the credentials file's own messages; a role's root says which role it is the root of, and
// never tells to add keys to the role profile.
function rootKeys(chain: ProfileChain, files: AwsFiles, credentials: LoadedFile): LongTermSource {
  try {
    return longTermKeysFor(credentials.doc, chain.root, files.credentials, credentials.exists);
  } catch (error) {
    // Keys left in the config file, or a role profile named where its root was meant: the config file says why.
    // (A plain profile's name was typed by the user: a typo is named. A root was named by source_profile.)
    const explained = (chain.hops.length === 0 ? explainedByFiles : explainedByConfig)(error, chain.root, files);
    if (explained !== error || chain.hops.length === 0 || !(error instanceof UnknownProfileError || error instanceof NoLongTermKeysError)) throw explained;
    throw new RoleProfileError(
      `role profile ${chain.name} starts from profile ${chain.root}, which has no long-term keys in ${files.credentials}: ` +
        `add them with ${configureCommand(files.credentials, chain.root)}`,
    );
  }
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
