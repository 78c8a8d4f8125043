import { configProfileName } from '../store/config.js';
import { profileNames } from '../store/credentials.js';
import type { AwsFiles } from '../store/paths.js';
import { loadIniFile } from '../store/read.js';

// Profile names for tab completion: the credentials file's sections (never the `::source-profile` backups) and
// the config file's `[profile NAME]` / `[default]`, role profiles included. A file that is missing, unreadable or
// malformed adds nothing: completion never fails. Names with control characters would garble the terminal.
export function completionProfiles(files: AwsFiles): string[] {
  const names = new Set<string>();
  const add = (read: () => string[]) => {
    try {
      for (const name of read()) if (!/[\u0000-\u001f\u007f]/.test(name)) names.add(name);
    } catch {
      // nothing from this file
    }
  };
  add(() => profileNames(loadIniFile(files.credentials).doc));
  add(() => loadIniFile(files.config).doc.sections.map(section => configProfileName(section.name)).filter((name): name is string => name !== undefined));
  return [...names].sort();
}
