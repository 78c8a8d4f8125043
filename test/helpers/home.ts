import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempHome {
  home: string;
  aws: string;
  credentials: string;
  config: string;
  writeCredentials(text: string): Promise<void>;
  writeConfig(text: string): Promise<void>;
  read(path: string): Promise<string>;
  mode(path: string): Promise<number>;
  remove(): Promise<void>;
}

export async function makeHome(): Promise<TempHome> {
  const home = await mkdtemp(join(tmpdir(), 'aws2fa-home-'));
  const aws = join(home, '.aws');
  await mkdir(aws, { mode: 0o700 });
  const credentials = join(aws, 'credentials');
  const config = join(aws, 'config');
  return {
    home,
    aws,
    credentials,
    config,
    writeCredentials: (text) => writeFile(credentials, text, { mode: 0o600 }),
    writeConfig: (text) => writeFile(config, text, { mode: 0o600 }),
    read: (path) => readFile(path, 'utf8'),
    mode: async (path) => (await stat(path)).mode & 0o777,
    remove: () => rm(home, { recursive: true, force: true }),
  };
}

// Long-term keys shaped like real ones: secrets contain `+`, `/` and `=`.
export const ALICE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCY=EXAMPLEKEY',
  mfaSerial: 'arn:aws:iam::123456789012:mfa/alice',
  code: '123456',
};
