import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { addSection, removeOption, removeSection, setOption } from '../../src/store/edit.js';
import { joinLines, parseIni } from '../../src/store/ini.js';

const Edit = suite('store/edit: splices lines, never re-serialises');

const text = (doc: ReturnType<typeof parseIni>) => joinLines(doc);

Edit('setOption replaces only the value, keeping the key spelling, separator and the rest of the line', () => {
  const doc = parseIni('[a]\nAWS_Access_Key_Id: OLD\nother = x\n', 'f');
  assert.is(text(setOption(doc, 'a', 'aws_access_key_id', 'NEW+/=')), '[a]\nAWS_Access_Key_Id: NEW+/=\nother = x\n');
});

Edit('setOption keeps blanks after the value, so setting the old value back gives every byte back', () => {
  const original = '[a]\nk\t=\tOLD \t\nempty =  \n';
  const doc = setOption(setOption(parseIni(original, 'f'), 'a', 'k', 'NEW'), 'a', 'empty', 'X');
  assert.is(text(doc), '[a]\nk\t=\tNEW \t\nempty = X  \n');
  assert.is(text(setOption(doc, 'a', 'k', 'OLD')), '[a]\nk\t=\tOLD \t\nempty = X  \n');
});

Edit('setOption inserts a missing key after the last option, before trailing comments and blank lines', () => {
  const doc = parseIni('[a]\nk = v\n# about b\n\n[b]\n', 'f');
  assert.is(text(setOption(doc, 'a', 'n', '1')), '[a]\nk = v\nn = 1\n# about b\n\n[b]\n');
});

Edit('setOption replaces a whole nested block', () => {
  const doc = parseIni('[a]\ns3 =\n  x = 1\n  y = 2\nk = v\n', 'f');
  assert.is(text(setOption(doc, 'a', 's3', 'flat')), '[a]\ns3 = flat\nk = v\n');
});

Edit('edits keep CRLF line ends and a missing final newline', () => {
  const crlf = parseIni('[a]\r\nk = v\r\n', 'f');
  assert.is(text(setOption(crlf, 'a', 'n', '1')), '[a]\r\nk = v\r\nn = 1\r\n');
  const bare = parseIni('[a]\nk = v', 'f');
  assert.is(text(setOption(bare, 'a', 'n', '1')), '[a]\nk = v\nn = 1');
});

Edit('addSection after a section and removeSection are exact inverses', () => {
  for (const original of ['[a]\nk = v\n\n[b]\nx = y\n', '[a]\nk = v', '[a]\r\nk = v\r\n', '[b]\n[a]\nk = v\n\n\n']) {
    const added = addSection(parseIni(original, 'f'), 'a::source-profile', [['k', 'v']], 'a');
    assert.ok(text(added).includes('\n[a::source-profile]') || text(added).includes('\r\n[a::source-profile]'));
    assert.is(text(removeSection(added, 'a::source-profile')), original, JSON.stringify(original));
  }
});

Edit('an inserted option and removeOption are exact inverses', () => {
  for (const original of ['[a]\nk = v\n# c\n[b]\n', '[a]\nk = v', '[a]']) {
    const added = setOption(parseIni(original, 'f'), 'a', 'aws_session_token', 'T');
    assert.is(text(removeOption(added, 'a', 'aws_session_token')), original, JSON.stringify(original));
  }
});

Edit('addSection to an empty file writes just the section', () => {
  assert.is(text(addSection(parseIni('', 'f'), 'default', [['mfa_serial', 'arn']])), '[default]\nmfa_serial = arn\n');
});

Edit('values with line breaks are refused, not written', () => {
  assert.throws(() => setOption(parseIni('[a]\n', 'f'), 'a', 'k', 'x\n[evil]'), /line break/);
});

Edit.run();
