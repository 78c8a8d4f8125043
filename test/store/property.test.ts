import { chmod, readFile, writeFile } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSession, restoreLongTermKeys } from '../../src/mfa/file-mode.js';
import { assertWritable } from '../../src/store/atomic.js';
import { backupSectionFor, keysIn, longTermKeysFor, requireProfile, type AccessKeys } from '../../src/store/credentials.js';
import { addSection, removeOption, removeSection, setOption } from '../../src/store/edit.js';
import { findSection, indexLines, parseIni, type IniDocument } from '../../src/store/ini.js';
import { loadIniFile } from '../../src/store/read.js';
import { cleanEnv } from '../helpers/cli.js';
import { leftovers, seededRandom, startBinary, until } from '../helpers/processes.js';
import { makeWorld, type World } from '../helpers/world.js';

// Issue 11, item 8: random sequences of login, logout, key rotation (the file edited as `aws configure set` edits
// it), kill -9 at a chosen step, and failed writes, over random INI files. After every step: each profile's current
// long-term keys are in the file (in [PROFILE] or its backup; a rotation supersedes the keys before it), and every
// byte outside the sections of the profiles in play is what it was. Seeded: AWS2FA_TEST_SEED=N replays a run.
const Property = suite('store: random logins, logouts, rotations, kills and failures never lose a key or a byte elsewhere');

const SEED = Number(process.env.AWS2FA_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const STEPS = Number(process.env.AWS2FA_TEST_STEPS ?? 300);
const FILES = 6;

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const chance = (random: Random, p: number) => random() < p;
const letters = (random: Random, count: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567') =>
  Array.from({ length: count }, () => pick(random, [...alphabet])).join('');

const IN_PLAY = ['prod', 'dev.team', 'my profile'];
const CODE = '123456';
const SERIAL = 'arn:aws:iam::123456789012:mfa/alice';

function longTermKeys(random: Random): AccessKeys {
  return { accessKeyId: `AKIA${letters(random, 16)}`, secretAccessKey: `${letters(random, 30, 'abcdefghijklmnopqrstuvwxyz0123456789')}/+=${letters(random, 7)}` };
}

// A file as people write them: comments of both kinds, blank lines, `key: value`, upper-case keys, nested blocks,
// indented lines after a secret, CRLF, no final line end, other sections around the ones in play.
function randomFile(random: Random, keys: Map<string, AccessKeys>): string {
  const eol = chance(random, 0.3) ? '\r\n' : '\n';
  const separator = () => pick(random, [' = ', '=', ': ', ' : ', '\t=\t']);
  const comment = () => pick(random, ['# a comment', '; another', '#', '   # indented comment', '# naïve — ünïcode']);
  const others = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => `other${i}`);
  const names = [...IN_PLAY, ...others].sort(() => random() - 0.5);
  const lines: string[] = [];
  if (chance(random, 0.5)) lines.push(comment(), '');
  for (const name of names) {
    if (chance(random, 0.3)) lines.push(comment());
    lines.push(`[${name}]`);
    const options: string[][] = [];
    const own = keys.get(name) ?? longTermKeys(random);
    const idKey = chance(random, 0.2) ? 'AWS_ACCESS_KEY_ID' : 'aws_access_key_id';
    const secretLines = [`aws_secret_access_key${separator()}${own.secretAccessKey}`];
    if (chance(random, 0.2)) secretLines.push(`    ${pick(random, ['indented after the secret', 'more = text'])}`);
    options.push([`${idKey}${separator()}${own.accessKeyId}`], secretLines);
    if (chance(random, 0.5)) options.push([`region${separator()}${pick(random, ['eu-west-1', 'us-east-1'])}`]);
    if (chance(random, 0.3)) options.push(['s3 =', '    addressing_style = path']);
    if (chance(random, 0.2)) options.push([`output${separator()}json # inline`]);
    for (const option of options.sort(() => random() - 0.5)) {
      lines.push(...option);
      if (chance(random, 0.1)) lines.push(comment());
    }
    if (chance(random, 0.7)) lines.push('');
  }
  const text = lines.join(eol);
  return chance(random, 0.2) ? text : text + eol;
}

// Every line outside the sections in play (from the header to the last option; a backup with the blank line
// aws2fa puts before it): what no step may change.
function outsidePlay(doc: IniDocument): string {
  const dropped = new Set<number>();
  for (const name of IN_PLAY) {
    for (const sectionName of [name, backupSectionFor(name)]) {
      const section = findSection(doc, sectionName);
      if (!section) continue;
      const end = section.options.at(-1)?.last ?? section.header;
      const blankBefore = sectionName !== name && section.header > 0 && doc.lines[section.header - 1]!.text.trim() === '';
      for (let line = blankBefore ? section.header - 1 : section.header; line <= end; line++) dropped.add(line);
    }
  }
  return doc.lines.filter((_, index) => !dropped.has(index)).map((line) => line.text + line.eol).join('');
}

// What `aws configure set` does (awscli/customizations/configure/writer.py): the value of an existing line is
// replaced in place, the rest of the section (session token, expiration) left as it is.
function rotateInText(text: string, profile: string, keys: AccessKeys, halves: 'both' | 'id' | 'secret' = 'both'): string {
  const doc = parseIni(text, 'credentials');
  const section = findSection(doc, profile)!;
  const lines = doc.lines.map((line) => ({ ...line }));
  const set = [['aws_access_key_id', keys.accessKeyId], ['aws_secret_access_key', keys.secretAccessKey]] as const;
  for (const [key, value] of set.filter(([key]) => halves === 'both' || key === `aws_${halves === 'id' ? 'access_key_id' : 'secret_access_key'}`)) {
    const option = section.options.find((candidate) => candidate.key === key)!;
    const line = lines[option.first]!;
    line.text = line.text.replace(/^(\s*[^=:]+?\s*[=:]\s*).*$/, `$1${value}`);
  }
  return lines.map((line) => line.text + line.eol).join('');
}

// 'rotated': keys rotated in [PROFILE] while in a session; the backup still holds the old ones until the next
// login or logout. 'half': only one half of the new key set in [PROFILE] (issue 17): login and logout refuse,
// the backup's keys are still the long-term ones until the other half is set.
type State = 'long-term' | 'session' | 'rotated' | 'half';

interface Model {
  current: Map<string, AccessKeys>; // each profile's long-term keys now
  state: Map<string, State>;
  pending: Map<string, AccessKeys>; // the new key of a half-done rotation
}

function checkInvariants(text: string, model: Model, before: string, step: string): void {
  const doc = parseIni(text, 'credentials');
  for (const profile of IN_PLAY) {
    const current = model.current.get(profile)!;
    const own = keysIn(findSection(doc, profile));
    const saved = keysIn(findSection(doc, backupSectionFor(profile)));
    const same = (keys: AccessKeys | undefined) => keys?.accessKeyId === current.accessKeyId && keys.secretAccessKey === current.secretAccessKey;
    const state = model.state.get(profile)!;
    assert.ok(same(own) || same(saved), `${step}: the long-term keys of ${profile} are in the file`);
    assert.is(same(state === 'session' || state === 'half' ? saved : own), true, `${step}: ${profile} (${state}) holds its keys where it should`);
    assert.is(saved !== undefined, state !== 'long-term', `${step}: ${profile} (${state}) ${state === 'long-term' ? 'has no' : 'has a'} backup`);
  }
  assert.is(outsidePlay(doc), before, `${step}: every byte outside the sections in play is unchanged`);
}

function sessionKeys(random: Random): { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date } {
  return { accessKeyId: `ASIA${letters(random, 16)}`, secretAccessKey: letters(random, 40), sessionToken: letters(random, 120), expiration: new Date(Date.now() + 3_600_000) };
}

async function expectUnchangedAfterFailure(path: string, attempt: () => Promise<unknown>, step: string): Promise<void> {
  const before = await readFile(path);
  let failed = false;
  try {
    await attempt();
  } catch {
    failed = true;
  }
  assert.ok(failed, `${step}: refused`);
  assert.ok((await readFile(path)).equals(before), `${step}: the file byte for byte as it was`);
}

// One real process stopped at a pause point and killed there with SIGKILL: nothing written, and the next run
// cleans up after it.
async function killedRun(world: World, events: string, profile: string, verb: 'login' | 'logout', point: string): Promise<void> {
  const argv = verb === 'login' ? ['login', profile, CODE, '--serial', SERIAL] : ['logout', profile];
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, AWS2FA_TEST_EVENTS: events, AWS2FA_TEST_PAUSE_AT: point });
  const run = startBinary(argv, env);
  const reached = async () => (await readdir(events)).includes(`${point}.${run.child.pid}`);
  const ended = run.exited.then(() => true);
  await until(async () => (await reached()) || (await Promise.race([ended, Promise.resolve(false)])));
  run.child.kill('SIGKILL');
  const exit = await run.exited;
  assert.ok(exit.signal === 'SIGKILL' || exit.status !== 0, `${verb} ${profile} killed at ${point}: ${exit.stderr}`);
}

async function runFile(world: World, random: Random, fileNumber: number, events: string, budget: number): Promise<number> {
  const model: Model = { current: new Map(IN_PLAY.map((name) => [name, longTermKeys(random)])), state: new Map(IN_PLAY.map((name) => [name, 'long-term'])), pending: new Map() };
  for (const keys of model.current.values()) world.fake.addUser({ ...keys, mfaSerial: SERIAL, code: CODE });
  const original = randomFile(random, model.current);
  await writeFile(world.credentials, original, { mode: 0o600 });
  const before = outsidePlay(parseIni(original, 'credentials'));
  const path = world.credentials;
  let steps = 0;
  for (; steps < budget; steps++) {
    const profile = pick(random, IN_PLAY);
    const roll = random();
    const step = `seed ${SEED} file ${fileNumber} step ${steps}`;
    if (roll < 0.55 && model.state.get(profile) === 'half') {
      await expectUnchangedAfterFailure(path, async () => {
        if (roll < 0.3) await writeSession(path, profile, sessionKeys(random));
        else await restoreLongTermKeys(path, profile);
      }, `${step} (${roll < 0.3 ? 'login' : 'logout'} with a rotation half done)`);
    } else if (roll < 0.3) {
      longTermKeysFor(loadIniFile(path).doc, profile, path); // what login checks before STS
      assertWritable(path);
      await writeSession(path, profile, sessionKeys(random));
      model.state.set(profile, 'session');
    } else if (roll < 0.55) {
      requireProfile(loadIniFile(path).doc, profile, path);
      await restoreLongTermKeys(path, profile);
      model.state.set(profile, 'long-term');
    } else if (roll < 0.72 && model.state.get(profile) === 'half') {
      const keys = model.pending.get(profile)!; // the other half: a whole rotation now
      await writeFile(path, rotateInText(await readFile(path, 'utf8'), profile, keys));
      model.current.set(profile, keys);
      model.state.set(profile, 'rotated');
    } else if (roll < 0.72 && model.state.get(profile) === 'session' && chance(random, 0.4)) {
      const keys = longTermKeys(random);
      world.fake.addUser({ ...keys, mfaSerial: SERIAL, code: CODE });
      await writeFile(path, rotateInText(await readFile(path, 'utf8'), profile, keys, chance(random, 0.5) ? 'id' : 'secret'));
      model.pending.set(profile, keys);
      model.state.set(profile, 'half');
    } else if (roll < 0.72) {
      const keys = longTermKeys(random);
      world.fake.addUser({ ...keys, mfaSerial: SERIAL, code: CODE });
      await writeFile(path, rotateInText(await readFile(path, 'utf8'), profile, keys));
      model.current.set(profile, keys);
      if (model.state.get(profile) === 'session') model.state.set(profile, 'rotated');
    } else if (roll < 0.88) {
      await chmod(world.aws, 0o500);
      try {
        await expectUnchangedAfterFailure(path, async () => {
          if (chance(random, 0.5)) {
            assertWritable(path);
            await writeSession(path, profile, sessionKeys(random));
          } else {
            if (model.state.get(profile) === 'long-term') throw new Error('nothing to write');
            await restoreLongTermKeys(path, profile);
          }
        }, `${step} (read-only folder)`);
      } finally {
        await chmod(world.aws, 0o700);
      }
    } else if (roll < 0.93) {
      const verb = chance(random, 0.5) ? 'login' : 'logout';
      if (verb === 'logout' && model.state.get(profile) === 'long-term') continue;
      const text = await readFile(path);
      await killedRun(world, events, profile, verb, pick(random, ['lock-taken', 'before-rename']));
      assert.ok((await readFile(path)).equals(text), `${step}: killed before the rename, nothing written`);
    } else {
      await writeFile(path, await readFile(path)); // a no-op step: the file rewritten as it is
    }
    checkInvariants(await readFile(path, 'utf8'), model, before, step);
  }
  for (const profile of IN_PLAY.filter((name) => model.state.get(name) === 'half')) {
    await writeFile(path, rotateInText(await readFile(path, 'utf8'), profile, model.pending.get(profile)!));
    model.current.set(profile, model.pending.get(profile)!);
  }
  for (const profile of IN_PLAY) await restoreLongTermKeys(path, profile);
  for (const profile of IN_PLAY) model.state.set(profile, 'long-term');
  const final = await readFile(path, 'utf8');
  checkInvariants(final, model, before, `seed ${SEED} file ${fileNumber} after logging everyone out`);
  assert.not.match(final, /aws_session_token|ASIA/, 'no session left after logging everyone out');
  assert.equal(await leftovers(world.aws), [], 'no lock or temporary file left');
  return steps;
}

Property(`${STEPS} random steps over ${FILES} random files (seed ${SEED}; replay with AWS2FA_TEST_SEED=${SEED})`, async () => {
  process.stderr.write(`property test seed: ${SEED} (AWS2FA_TEST_SEED=${SEED} replays it)\n`);
  const random = seededRandom(SEED);
  const world = await makeWorld();
  const events = await mkdtemp(join(tmpdir(), 'aws2fa-events-'));
  try {
    let done = 0;
    for (let file = 0; file < FILES; file++) done += await runFile(world, random, file, events, Math.ceil(STEPS / FILES));
    assert.ok(done >= STEPS, `${done} steps`);
  } finally {
    await chmod(world.aws, 0o700).catch(() => undefined);
    await world.remove();
    await rm(events, { recursive: true, force: true });
  }
});

// The edits re-parse only the sections around a change (reindexSplice): after any sequence of them, the index must
// be what a full parse of the same lines gives.
Property(`${STEPS} random edits keep the same index as a full parse (seed ${SEED})`, () => {
  const random = seededRandom(SEED ^ 0x5eed);
  let doc = parseIni(randomFile(random, new Map()), 'credentials');
  for (let step = 0; step < STEPS; step++) {
    const names = doc.sections.map((section) => section.name);
    const name = pick(random, names.length > 0 ? names : ['fresh']);
    const roll = random();
    if (roll < 0.35 && findSection(doc, name)) {
      doc = setOption(doc, name, pick(random, ['aws_access_key_id', 'region', 'New_Key', 's3']), letters(random, 8), chance(random, 0.3) ? ['  nested = 1'] : []);
    } else if (roll < 0.6 && findSection(doc, name)) {
      doc = removeOption(doc, name, pick(random, findSection(doc, name)!.options.map((option) => option.key).concat('absent')));
    } else if (roll < 0.8) {
      const fresh = `added${step}`;
      doc = addSection(doc, fresh, [['aws_access_key_id', letters(random, 8), chance(random, 0.3) ? ['    continued'] : []]], chance(random, 0.5) && findSection(doc, name) ? name : undefined);
    } else if (names.length > 1) {
      doc = removeSection(doc, name);
    }
    assert.equal(doc.sections, indexLines(doc.lines, 'credentials').sections, `seed ${SEED} edit ${step}: the index of a full parse`);
    for (const section of doc.sections) assert.ok(findSection(doc, section.name) === section, `seed ${SEED} edit ${step}: [${section.name}] found by name`);
  }
});

Property.run();
