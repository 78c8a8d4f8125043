import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setOption } from '../../src/store/edit.js';
import { findSection, indexLines, parseIni } from '../../src/store/ini.js';
import { BINARY, cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { SESSION_MARK } from '../helpers/session-mark.js';
import { makeWorld, type World } from '../helpers/world.js';

// Issue 11, item 9: 50,000 profiles. No wall-clock bounds here (the machine decides those); what is asserted is
// the shape that keeps the work linear, and correct results and short messages at that size.
const Scale = suite<{ world: World }>('store: 50,000 profiles: lookups by name, edits that re-read only what changed, short errors');

const COUNT = 50_000;
const LONG_TERM = `aws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n`;
const BIG = Array.from({ length: COUNT }, (_, i) => `[p${i}]\naws_access_key_id = AKIA${String(i).padStart(16, '0')}\naws_secret_access_key = ${'s'.repeat(40)}\n`)
  .concat(`[prod]\n${LONG_TERM}`)
  .join('\n');

Scale.before.each(async (context) => {
  context.world = await makeWorld({ credentials: BIG });
});
Scale.after.each(async (context) => {
  await context.world.remove();
});

Scale('an edit re-reads only the sections around it: the others are the same objects, and the result is what a full parse gives', () => {
  const doc = parseIni(BIG, 'credentials');
  const edited = setOption(doc, 'p25000', 'region', 'eu-west-1', ['  nested = 1']);
  assert.ok(edited.sections[0] === doc.sections[0], 'sections before the change are not parsed again');
  assert.ok(findSection(edited, 'p24999') === findSection(doc, 'p24999'));
  assert.equal(edited.sections, indexLines(edited.lines, 'credentials').sections, 'the same as a full parse');
  assert.is(findSection(edited, 'p25001')!.header, findSection(doc, 'p25001')!.header + 2);
});

Scale('status lists all 50,001 profiles; login and logout round-trip byte for byte', async ({ world }) => {
  const status = await world.aws2fa(['status', '--json']);
  assert.is(status.status, 0, status.stderr);
  assert.is((JSON.parse(status.stdout) as { profiles: unknown[] }).profiles.length, COUNT + 1);
  assert.is((await world.aws2fa(['login', 'prod', ALICE.code])).status, 0);
  assert.match(await world.read(world.credentials), new RegExp(`\\[prod::source-profile\\]\\n${LONG_TERM.replace(/[+/=]/g, '\\$&')}${SESSION_MARK.source}\\n$`));
  assert.is((await world.aws2fa(['logout', 'prod'])).status, 0);
  assert.ok((await world.read(world.credentials)) === BIG, 'byte for byte');
});

Scale('an unknown profile names five profiles and how many more (both files: default of the config too), not 50,000', async ({ world }) => {
  const result = await world.aws2fa(['logout', 'nope']);
  assert.is(result.status, 1);
  assert.match(result.stderr, /\(known profiles: p0, p1, p2, p3, p4 and 49997 more \(aws2fa status lists them all\)\); add its keys with: aws configure --profile nope\n$/);
  assert.ok(result.stderr.length < 300, `${result.stderr.length} characters`);
});

// Profiles in both files: each profile's config section (and whether it is a role) is looked up by name, not by a
// scan with a shlex split of every section per profile (2,000 profiles took 2 minutes, 50,000 never ended). The
// guard only ends a run that hangs.
Scale('status with 50,000 profiles in the config file too, role profiles among them', ({ world }) => {
  const config = Array.from({ length: COUNT }, (_, i) =>
    i % 1000 === 0 ? `[profile role${i}]\nrole_arn = arn:aws:iam::123456789012:role/r${i}\nsource_profile = prod\n` : `[profile p${i}]\nregion = eu-west-1\n`,
  ).join('\n');
  writeFileSync(world.config, config);
  const status = spawnSync(process.execPath, [BINARY, 'status', '--json'], { env: cleanEnv(world.home) as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 30 });
  assert.is(status.status, 0, status.stderr);
  const profiles = (JSON.parse(status.stdout) as { profiles: Array<{ name: string; role: unknown }> }).profiles;
  assert.is(profiles.length, COUNT + 1 + COUNT / 1000);
  assert.is(profiles.filter((profile) => profile.role !== null).length, COUNT / 1000);
});

Scale.run();
