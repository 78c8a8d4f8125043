import type { AppContext } from '../context.js';
import { configSection } from '../store/config.js';
import { backupSectionFor } from '../store/credentials.js';
import { findSection } from '../store/ini.js';
import { resolveAwsFiles, type FolderOptions } from '../store/paths.js';
import { loadIniFile } from '../store/read.js';

// The line for a bare `aws2fa` when neither file has a `default` profile (in either file: a role profile or one
// whose keys are missing gets its own advice from login); undefined when there is one.
export function noDefaultProfile(context: AppContext, folder: FolderOptions): string | undefined {
  const files = resolveAwsFiles(folder, context.env, context.home);
  const credentials = loadIniFile(files.credentials).doc;
  const config = loadIniFile(files.config).doc;
  if (findSection(credentials, `default`) || findSection(credentials, backupSectionFor(`default`)) || configSection(config, `default`)) return undefined;
  return `no profile default in ${files.credentials} or ${files.config} to log in: name a profile (aws2fa PROFILE [CODE]) or run a command`;
}
