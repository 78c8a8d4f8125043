import { execFileSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rejection } from '../helpers/reject.js';
import { MalformedFileError } from '../../src/errors.js';
import { findSection, joinLines, optionValue, parseIni } from '../../src/store/ini.js';
import { findTool } from '../helpers/tools.js';

const Ini = suite('store/ini: reads AWS files the way botocore does');

const tricky = [
  '# leading comment',
  '; another comment',
  '[default]',
  'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
  'AWS_Secret_Access_Key: wJalr/K7MDENG+bPxRfiCY=EXAMPLE#KEY;x',
  '',
  '[acme.prod]',
  'region=eu-west-1',
  's3 =',
  '    addressing_style = path',
  '',
  '    max_concurrent_requests = 20',
  'output = json',
  '[my profile]',
  'key with spaces = a = b',
  '[prod::source-profile]',
  'aws_access_key_id = AKIA2',
  '',
].join('\n');

Ini('section names keep dots, spaces and ::; keys are case-insensitive; `:` separates; inline # and ; stay in values', () => {
  const doc = parseIni(tricky, 'credentials');
  assert.equal(doc.sections.map((s) => s.name), ['default', 'acme.prod', 'my profile', 'prod::source-profile']);
  const section = findSection(doc, 'default');
  assert.is(optionValue(section, 'aws_secret_access_key'), 'wJalr/K7MDENG+bPxRfiCY=EXAMPLE#KEY;x');
  assert.is(optionValue(findSection(doc, 'acme.prod'), 'region'), 'eu-west-1');
  assert.is(optionValue(findSection(doc, 'acme.prod'), 'output'), 'json');
  assert.is(optionValue(findSection(doc, 'my profile'), 'key with spaces'), 'a = b');
});

Ini('an indented block belongs to the key above it, blank lines inside included', () => {
  const doc = parseIni(tricky, 'credentials');
  const s3 = findSection(doc, 'acme.prod')!.options.find((o) => o.key === 's3')!;
  assert.is(s3.first, 8);
  assert.is(s3.last, 11);
});

Ini('joinLines gives back every byte: CRLF, lone CR, no final newline', () => {
  for (const text of [tricky, tricky.replace(/\n/g, '\r\n'), '[a]\r\nk = v\n\rx = y', '[a]\nk = v', '']) {
    assert.is(joinLines(parseIni(text, 'f')), text);
  }
});

const malformed = (text: string) => rejection(() => parseIni(text, '/home/me/.aws/credentials'), MalformedFileError);

Ini('duplicate sections, duplicate keys and keys before any section are errors naming file and line', async () => {
  assert.match((await malformed('[a]\nk = 1\n[b]\n[a]\n')).message, /credentials line 4: section \[a\] appears twice \(first on line 1\)/);
  assert.match((await malformed('[a]\nk = 1\nK = 2\n')).message, /line 3: key k appears twice in \[a\]/);
  assert.match((await malformed('k = 1\n[a]\n')).message, /line 1: a line before the first \[section\] header/);
  assert.match((await malformed('[a]\njust words\n')).message, /line 2: expected "key = value"/);
  assert.match((await malformed('[a\nk = v\n')).message, /line 1: section header \[a is not of the form \[NAME\]/);
  assert.match((await malformed('[a]\nk = v\n[b::source-profile\nk = w\n')).message, /line 3: section header \[b::source-profile is not/);
  assert.match((await malformed('\uFEFF[a]\nk = v\n')).message, /line 1: the file starts with a UTF-8 byte order mark \(BOM\), which the AWS CLI cannot read/);
});

const python = findTool('python3');
Ini('agrees with Python configparser (what botocore uses) on sections, keys and values', () => {
  if (!python) return;
  const script = [
    'import configparser, json, sys',
    'cp = configparser.RawConfigParser()',
    'cp.read_string(sys.stdin.read())',
    'print(json.dumps({s: dict(cp.items(s)) for s in cp.sections()}))',
  ].join('\n');
  const theirs = JSON.parse(execFileSync(python, ['-c', script], { input: tricky, encoding: 'utf8' })) as Record<string, Record<string, string>>;
  const ours = parseIni(tricky, 'f');
  assert.equal(Object.keys(theirs), ours.sections.map((s) => s.name));
  for (const section of ours.sections) {
    for (const option of section.options) {
      if (option.last === option.first) assert.is(option.value, theirs[section.name]![option.key], `${section.name}.${option.key}`);
      else assert.ok(theirs[section.name]![option.key]!.startsWith(option.value), `${section.name}.${option.key}`);
    }
    assert.equal(Object.keys(theirs[section.name]!), section.options.map((o) => o.key));
  }
});

Ini.run();
