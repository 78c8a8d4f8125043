import { startFakeAws, type FakeAws } from './aws-endpoint.js';
import { ALICE, makeHome, type TempHome } from './home.js';
import { runInProcess, scriptedTerminal, type RunResult } from './cli.js';
import type { Terminal } from '../../src/context.js';

// One test's world: a temp HOME with AWS files and a fake STS/ECR on loopback that knows alice's keys.
export interface World extends TempHome {
  aws2fa(argv: string[], options?: { env?: Record<string, string | undefined>; terminal?: Terminal | null }): Promise<RunResult>;
  fake: FakeAws;
  env: Record<string, string | undefined>;
  snapshot(): Promise<Record<string, string | null>>;
}

export const STANDARD_CREDENTIALS = [
  '# long-term keys; do not share',
  '[default]',
  'aws_access_key_id = AKIADEFAULTEXAMPLE00',
  'aws_secret_access_key = default/secret+key=',
  '',
  '[prod]',
  `aws_access_key_id = ${ALICE.accessKeyId}`,
  `aws_secret_access_key = ${ALICE.secretAccessKey}`,
  '',
].join('\n');

export const STANDARD_CONFIG = [
  '[default]',
  'region = us-east-1',
  '',
  '[profile prod]',
  'region = eu-west-1',
  `mfa_serial = ${ALICE.mfaSerial}`,
  'output = json',
  '',
].join('\n');

export async function makeWorld(files: { credentials?: string; config?: string } = {}): Promise<World> {
  const home = await makeHome();
  const fake = await startFakeAws();
  fake.addUser({ ...ALICE });
  await home.writeCredentials(files.credentials ?? STANDARD_CREDENTIALS);
  await home.writeConfig(files.config ?? STANDARD_CONFIG);
  const env = { AWS_ENDPOINT_URL: fake.url, AWS_EC2_METADATA_DISABLED: 'true' };
  return {
    ...home,
    fake,
    env,
    aws2fa: (argv, options = {}) =>
      runInProcess(argv, { home: home.home, env: { ...env, ...options.env }, terminal: options.terminal ?? null }),
    async snapshot() {
      const read = (path: string) => home.read(path).catch(() => null);
      return { credentials: await read(home.credentials), config: await read(home.config) };
    },
    async remove() {
      await fake.close();
      await home.remove();
    },
  };
}

export { scriptedTerminal };
