import { MalformedFileError } from '../errors.js';

// An AWS INI file read the way botocore reads it (Python's configparser.RawConfigParser with its defaults),
// keeping every line as it is so that edits can splice lines instead of re-serialising the file.

export interface IniLine {
  text: string;
  eol: string; // '\n', '\r\n', '\r', or '' on a last line without a line end
}

export interface IniOption {
  key: string; // lower-cased, as configparser's optionxform does
  value: string; // the first line's value; indented continuation lines are not joined in
  first: number; // line index of `key = value`
  last: number; // last line index of its indented continuation block, if any
  valueStart: number; // offset in the first line where the value begins
}

export interface IniSection {
  name: string;
  header: number;
  options: IniOption[];
}

export interface IniDocument {
  lines: IniLine[];
  sections: IniSection[];
}

// `s`: Python's `.` matches everything but \n, JavaScript's also stops at \u2028 and \u2029, which a name or a
// value may hold (lines are split at \n and \r only, as Python's universal newlines do).
const SECTION_HEADER = /^\[(.+)\]/s;
// configparser's OPTCRE: the key is everything before the first `=` or `:`.
const OPTION_LINE = /^(.*?)\s*([=:])\s*(.*)$/s;

export function splitLines(text: string): IniLine[] {
  const lines: IniLine[] = [];
  const lineEnd = /\r\n|\n|\r/g;
  let start = 0;
  for (let match = lineEnd.exec(text); match; match = lineEnd.exec(text)) {
    lines.push({ text: text.slice(start, match.index), eol: match[0] });
    start = match.index + match[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
  return lines;
}

export function joinLines(doc: IniDocument): string {
  return doc.lines.map((line) => line.text + line.eol).join('');
}

// Python decodes a BOM into U+FEFF before the first header, so botocore (and with it the AWS CLI) cannot read such
// a file at all; writing a session into it would only look like success. The JS SDK trims it, but aws2fa reads
// files as botocore does: a clear error naming the fix.
export function parseIni(text: string, path: string): IniDocument {
  if (text.startsWith('\uFEFF')) {
    throw new MalformedFileError(path, 1, `the file starts with a UTF-8 byte order mark (BOM), which the AWS CLI cannot read; save it as UTF-8 without BOM`);
  }
  return indexLines(splitLines(text), path);
}

export function indexLines(lines: IniLine[], path: string): IniDocument {
  const sections: IniSection[] = [];
  // By name, for the duplicate checks: a 5 MB file has tens of thousands of sections.
  const sectionsByName = new Map<string, IniSection>();
  let optionsByKey = new Map<string, IniOption>();
  let section: IniSection | undefined;
  let option: IniOption | undefined;
  let indentLevel = 0;
  lines.forEach((line, index) => {
    const value = line.text.trim();
    if (value === '' || value.startsWith('#') || value.startsWith(';')) return;
    const indent = line.text.length - line.text.trimStart().length;
    if (section && option && indent > indentLevel) {
      option.last = index; // continuation line of a nested block
      return;
    }
    indentLevel = indent;
    const header = SECTION_HEADER.exec(value);
    if (header) {
      const name = header[1] ?? '';
      const earlier = sectionsByName.get(name);
      if (earlier) {
        throw new MalformedFileError(path, index + 1, `section [${name}] appears twice (first on line ${earlier.header + 1})`);
      }
      section = { name, header: index, options: [] };
      sections.push(section);
      sectionsByName.set(name, section);
      optionsByKey = new Map();
      option = undefined;
      return;
    }
    // configparser would take `[prod` (no `]`) for a key, or refuse it; either way it is a header gone wrong.
    if (value.startsWith('[')) throw new MalformedFileError(path, index + 1, `section header ${value} is not of the form [NAME]`);
    if (!section) throw new MalformedFileError(path, index + 1, `a line before the first [section] header`);
    const parsed = OPTION_LINE.exec(value);
    const rawKey = parsed?.[1]?.trimEnd() ?? '';
    if (!parsed || rawKey === '') {
      throw new MalformedFileError(path, index + 1, `expected "key = value" or a [section] header`);
    }
    const key = rawKey.toLowerCase();
    const earlier = optionsByKey.get(key);
    if (earlier) {
      throw new MalformedFileError(path, index + 1, `key ${key} appears twice in [${section.name}] (first on line ${earlier.first + 1})`);
    }
    const valueText = parsed[3] ?? '';
    const valueEnd = line.text.trimEnd().length;
    option = { key, value: valueText.trim(), first: index, last: index, valueStart: valueEnd - valueText.trimEnd().length };
    section.options.push(option);
    optionsByKey.set(key, option);
  });
  return { lines, sections };
}

export function findSection(doc: IniDocument, name: string): IniSection | undefined {
  return doc.sections.find((section) => section.name === name);
}

export function optionValue(section: IniSection | undefined, key: string): string | undefined {
  return section?.options.find((option) => option.key === key)?.value;
}
