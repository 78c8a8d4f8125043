import { isAbsolute, join, resolve } from 'node:path';
import { BadInputError } from '../errors.js';

export interface AwsFiles {
  credentials: string;
  config: string;
}

export interface FolderOptions {
  directory?: string | undefined;
  name?: string | undefined;
  /** both files, as a session remembered them (the hook's renewal): before everything else */
  files?: AwsFiles | undefined;
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return isAbsolute(path) ? path : resolve(path);
}

// --directory / --name pick a folder holding both files; otherwise the AWS CLI's own variables and defaults.
export function resolveAwsFiles(folder: FolderOptions, env: Record<string, string | undefined>, home: string): AwsFiles {
  if (folder.files) return folder.files;
  if (folder.name !== undefined) {
    if (!/^[\w.@+-]+$/.test(folder.name) || folder.name.startsWith('.')) {
      throw new BadInputError(`--name ${JSON.stringify(folder.name)}: use letters, digits, '.', '_', '-' (it names the folder ~/.aws-NAME)`);
    }
    const dir = join(home, `.aws-${folder.name}`);
    return { credentials: join(dir, 'credentials'), config: join(dir, 'config') };
  }
  if (folder.directory !== undefined) {
    const dir = expandHome(folder.directory, home);
    return { credentials: join(dir, 'credentials'), config: join(dir, 'config') };
  }
  return {
    credentials: expandHome(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'), home),
    config: expandHome(env.AWS_CONFIG_FILE || join(home, '.aws', 'config'), home),
  };
}
