import { execFileSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import { findTool } from '../helpers/tools.js';
import { makeWorld, type World } from '../helpers/world.js';

// The real AWS CLI v2 (botocore) reads what we wrote. Debian's v2 is /usr/bin/aws; an `aws` earlier on PATH may be v1.
function findAwsCliV2(): string | null {
  const path = findTool('AWS CLI v2', ['/usr/bin/aws']);
  if (!path) return null;
  const version = execFileSync(path, ['--version'], { encoding: 'utf8' });
  if (!version.startsWith('aws-cli/2.')) {
    if (process.env.CI === 'true') throw new Error(`/usr/bin/aws is not the AWS CLI v2: ${version}`);
    process.stderr.write(`\n!!!!! SKIPPED: /usr/bin/aws is ${version.trim()}, not v2 !!!!!\n\n`);
    return null;
  }
  return path;
}

const awsCli = findAwsCliV2();
const Interop = suite<{ world: World }>('interop: the AWS CLI v2 reads the files aws2fa writes');

Interop.before.each(async (context) => {
  context.world = await makeWorld();
});
Interop.after.each(async (context) => {
  await context.world.remove();
});

function aws(world: World, args: string[]): string {
  return execFileSync(awsCli!, args, {
    encoding: 'utf8',
    env: {
      PATH: '/usr/bin:/bin',
      HOME: world.home,
      AWS_SHARED_CREDENTIALS_FILE: world.credentials,
      AWS_CONFIG_FILE: world.config,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
}

const exported = (text: string) => Object.fromEntries(text.trim().split('\n').map((line) => line.replace(/^export /, '').split(/=(.*)/s).slice(0, 2)));

Interop('export-credentials shows the session after login and the long-term key after logout', async ({ world }) => {
  if (!awsCli) return;
  assert.is((await world.aws2fa(['login', 'prod', ALICE.code])).status, 0);
  const session = world.fake.issued[0]!;
  assert.equal(exported(aws(world, ['configure', 'export-credentials', '--profile', 'prod', '--format', 'env'])), {
    AWS_ACCESS_KEY_ID: session.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
    AWS_SESSION_TOKEN: session.sessionToken,
  });
  assert.match(aws(world, ['configure', 'list', '--profile', 'prod']), /region\s+eu-west-1\s+config-file/);
  // The backup section is a valid profile of its own that the CLI can use.
  assert.equal(exported(aws(world, ['configure', 'export-credentials', '--profile', 'prod::source-profile', '--format', 'env'])), {
    AWS_ACCESS_KEY_ID: ALICE.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ALICE.secretAccessKey,
  });
  assert.is((await world.aws2fa(['logout', 'prod'])).status, 0);
  assert.equal(exported(aws(world, ['configure', 'export-credentials', '--profile', 'prod', '--format', 'env'])), {
    AWS_ACCESS_KEY_ID: ALICE.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ALICE.secretAccessKey,
  });
});

Interop('odd files (dotted name, CRLF, `key: value`, nested block, stale aws_security_token) read right after login', async ({ world }) => {
  if (!awsCli) return;
  await world.writeCredentials(
    [`[acme.prod]`, `AWS_ACCESS_KEY_ID: ${ALICE.accessKeyId}`, `aws_secret_access_key=${ALICE.secretAccessKey}`, 'aws_security_token = STALE', ''].join('\r\n'),
  );
  await world.writeConfig(`[profile acme.prod]\r\nregion = eu-west-1\r\nmfa_serial = ${ALICE.mfaSerial}\r\ns3 =\r\n  addressing_style = path\r\n`);
  assert.is((await world.aws2fa(['login', 'acme.prod', ALICE.code])).status, 0);
  const session = world.fake.issued[0]!;
  const env = exported(aws(world, ['configure', 'export-credentials', '--profile', 'acme.prod', '--format', 'env']));
  assert.is(env.AWS_ACCESS_KEY_ID, session.accessKeyId);
  assert.is(env.AWS_SESSION_TOKEN, session.sessionToken, 'not shadowed by the stale aws_security_token');
});

Interop.run();
