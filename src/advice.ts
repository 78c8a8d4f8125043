import { basename, dirname } from 'node:path';
import { NoLongTermKeysError, UnknownProfileError } from './errors.js';
import { quote } from './shell/posix.js';
import { closest, oneOf } from './cli/suggest.js';
import { configProfileNames, configValue } from './store/config.js';
import { knownProfiles, prefixedSectionNote, profileNames } from './store/credentials.js';
import type { AwsFiles } from './store/paths.js';
import { loadIniFile } from './store/read.js';

// What to run to put keys into a credentials file. The AWS CLI finds ~/.aws/credentials (or the file
// AWS_SHARED_CREDENTIALS_FILE names) by itself; a folder of --name or --directory it must be told about:
// `AWS_SHARED_CREDENTIALS_FILE=/home/me/.aws-acme/credentials aws configure --profile prod`.
export function configureCommand(credentialsPath: string, profile: string): string {
  const standard = basename(credentialsPath) === `credentials` && basename(dirname(credentialsPath)) === `.aws`;
  const path = /^[\w./@+~-]+$/.test(credentialsPath) ? credentialsPath : quote(credentialsPath);
  return `${standard ? `` : `AWS_SHARED_CREDENTIALS_FILE=${path} `}aws configure --profile ${profile}`;
}

// A profile without keys in the credentials file may be explained by the config file: keys written there (aws2fa
// reads and keeps long-term keys only in the credentials file), or a role profile, which holds no keys at all and
// must never be told to add some. Returns the better error, or the one it was given.
export function explainedByConfig(error: unknown, profile: string, files: AwsFiles): unknown {
  if (!(error instanceof UnknownProfileError || error instanceof NoLongTermKeysError)) return error;
  const config = loadIniFile(files.config).doc;
  if (configValue(config, profile, `aws_access_key_id`) !== undefined) {
    return new NoLongTermKeysError(
      `profile ${profile} has its keys in the config file ${files.config}, where aws2fa does not keep or back them up: ` +
        `move aws_access_key_id and aws_secret_access_key to [${profile}] in the credentials file ${files.credentials}`,
    );
  }
  if (configValue(config, profile, `role_arn`) !== undefined) {
    const source = configValue(config, profile, `source_profile`);
    return new NoLongTermKeysError(
      `profile ${profile} in ${files.config} assumes a role (role_arn) and has no keys of its own; ` +
        (source ? `its keys are those of its source_profile ${source}: use ${source}` : `name the profile with its keys as source_profile in [profile ${profile}]`),
    );
  }
  return error;
}

// explainedByConfig, and for a name that is in neither file, what it may be a typo of.
export function explainedByFiles(error: unknown, profile: string, files: AwsFiles): unknown {
  const explained = explainedByConfig(error, profile, files);
  if (explained !== error || !(error instanceof UnknownProfileError)) return explained;
  return unknownProfile(profile, files, configProfileNames(loadIniFile(files.config).doc)) ?? error;
}

// A name in neither file: a near miss of any profile of either file (role profiles too) is named, like a mistyped
// command; only a name that looks like no profile at all (or one the config file has, without keys) is told how to
// add keys. The list of known profiles names those of both files.
function unknownProfile(profile: string, files: AwsFiles, configNames: string[]): UnknownProfileError | undefined {
  const credentials = loadIniFile(files.credentials);
  const names = [...new Set([...profileNames(credentials.doc), ...configNames])];
  const near = names.includes(profile) ? [] : closest(profile, names);
  if (near.length > 0) {
    const where = configNames.length > 0 ? `${files.credentials} or ${files.config}` : files.credentials;
    return new UnknownProfileError(`profile ${profile} is not in ${where}; did you mean ${oneOf(near)}?`);
  }
  if (!credentials.exists) return undefined; // the store's `there is no credentials file …: create it with …`
  const add = `add its keys with: ${configureCommand(files.credentials, profile)}`;
  const note = prefixedSectionNote(credentials.doc, profile);
  if (configNames.includes(profile)) return new UnknownProfileError(`profile ${profile} of ${files.config} has no keys in ${files.credentials}; ${add}${note}`);
  return new UnknownProfileError(`profile ${profile} is not in ${files.credentials} (${knownProfiles(names)}); ${add}${note}`);
}

// Runs a check of the credentials file, turning its error into the config file's explanation when there is one.
export function withConfigAdvice<T>(profile: string, files: AwsFiles, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw explainedByFiles(error, profile, files);
  }
}
