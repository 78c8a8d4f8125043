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

// indexOf, not a global pattern: a 5 MB file is split twice per run.
export function splitLines(text: string): IniLine[] {
  const lines: IniLine[] = [];
  let cr = text.indexOf('\r'); // the next CR at or after start, looked for again only once passed
  let start = 0;
  while (start < text.length) {
    const lf = text.indexOf('\n', start);
    if (cr >= 0 && cr < start) cr = text.indexOf('\r', start);
    const end = cr >= 0 && (lf < 0 || cr < lf) ? cr : lf;
    if (end < 0) break;
    const eol = text[end] === '\r' && text[end + 1] === '\n' ? '\r\n' : text[end]!;
    lines.push({ text: text.slice(start, end), eol });
    start = end + eol.length;
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

// Sections by name for each document: looking each profile up by a scan would make `status` on 50,000 profiles
// quadratic. A WeakMap keeps IniDocument a plain value.
const sectionIndex = new WeakMap<IniDocument, Map<string, IniSection>>();

export function indexLines(lines: IniLine[], path: string): IniDocument {
  const sections: IniSection[] = [];
  // By name, for the duplicate checks: a 5 MB file has tens of thousands of sections.
  const sectionsByName = new Map<string, IniSection>();
  // Keys by name only for a section with many: a Map for each of 50,000 small sections is most of the garbage.
  let optionsByKey: Map<string, IniOption> | undefined;
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
    const header = value.startsWith('[') ? SECTION_HEADER.exec(value) : null;
    if (header) {
      const name = header[1] ?? '';
      const earlier = sectionsByName.get(name);
      if (earlier) {
        throw new MalformedFileError(path, index + 1, `section [${name}] appears twice (first on line ${earlier.header + 1})`);
      }
      section = { name, header: index, options: [] };
      sections.push(section);
      sectionsByName.set(name, section);
      optionsByKey = undefined;
      option = undefined;
      return;
    }
    // configparser would take `[prod` (no `]`) for a key, or refuse it; either way it is a header gone wrong.
    if (value.startsWith('[')) throw new MalformedFileError(path, index + 1, `section header ${value} is not of the form [NAME]`);
    if (!section) throw new MalformedFileError(path, index + 1, `a line before the first [section] header`);
    // configparser's OPTCRE: the key is everything before the first `=` or `:`. Found by indexOf, not a
    // backtracking pattern: a file may have hundreds of thousands of lines.
    const separator = firstSeparator(value);
    const rawKey = separator < 0 ? '' : value.slice(0, separator).trimEnd();
    if (rawKey === '') {
      throw new MalformedFileError(path, index + 1, `expected "key = value" or a [section] header`);
    }
    const key = rawKey.toLowerCase();
    const earlier = optionsByKey ? optionsByKey.get(key) : section.options.find((other) => other.key === key);
    if (earlier) {
      throw new MalformedFileError(path, index + 1, `key ${key} appears twice in [${section.name}] (first on line ${earlier.first + 1})`);
    }
    const valueText = value.slice(separator + 1).trimStart();
    const valueEnd = line.text.trimEnd().length;
    option = { key, value: valueText.trim(), first: index, last: index, valueStart: valueEnd - valueText.trimEnd().length };
    section.options.push(option);
    if (optionsByKey) optionsByKey.set(key, option);
    else if (section.options.length >= 16) optionsByKey = new Map(section.options.map((known) => [known.key, known]));
  });
  const doc = { lines, sections };
  sectionIndex.set(doc, sectionsByName);
  return doc;
}

// After lines [start, start + removed) were replaced by `added` new ones: only the sections around the change are
// parsed again, the others keep their parse, shifted; edits on a file of 50,000 profiles stay cheap. A full parse
// where that could read a line differently (the change before the first header, an indented header after it, an
// error whose line number must be right).
export function reindexSplice(doc: IniDocument, lines: IniLine[], start: number, removed: number, added: number, path: string): IniDocument {
  const index = sectionIndex.get(doc);
  const sections = doc.sections;
  const first = firstHeaderAtOrAfter(sections, start) - 1; // the section the change begins in
  const next = firstHeaderAtOrAfter(sections, start + removed); // the first section after the change
  const delta = added - removed;
  const windowStart = sections[first]?.header;
  const windowEnd = next < sections.length ? sections[next]!.header + delta : lines.length;
  if (!index || windowStart === undefined || (next < sections.length && !lines[windowEnd]!.text.startsWith('['))) return indexLines(lines, path);
  let window: IniDocument;
  try {
    window = indexLines(lines.slice(windowStart, windowEnd), path);
  } catch {
    return indexLines(lines, path);
  }
  const byName = new Map(index);
  for (const section of sections.slice(first, next)) byName.delete(section.name);
  const moved = (section: IniSection, by: number): IniSection => ({
    name: section.name,
    header: section.header + by,
    options: section.options.map((option) => ({ ...option, first: option.first + by, last: option.last + by })),
  });
  const middle = window.sections.map((section) => moved(section, windowStart));
  for (const section of middle) {
    if (byName.has(section.name)) return indexLines(lines, path); // a duplicate: the full parse names its line
    byName.set(section.name, section);
  }
  const after = delta === 0 ? sections.slice(next) : sections.slice(next).map((section) => moved(section, delta));
  for (const section of after) byName.set(section.name, section);
  const edited = { lines, sections: [...sections.slice(0, first), ...middle, ...after] };
  sectionIndex.set(edited, byName);
  return edited;
}

function firstHeaderAtOrAfter(sections: IniSection[], line: number): number {
  let low = 0;
  let high = sections.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sections[middle]!.header < line) low = middle + 1;
    else high = middle;
  }
  return low;
}

function firstSeparator(text: string): number {
  const equals = text.indexOf('=');
  const colon = text.indexOf(':');
  return equals < 0 ? colon : colon < 0 ? equals : Math.min(equals, colon);
}

export function findSection(doc: IniDocument, name: string): IniSection | undefined {
  const index = sectionIndex.get(doc);
  return index ? index.get(name) : doc.sections.find((section) => section.name === name);
}

export function optionValue(section: IniSection | undefined, key: string): string | undefined {
  return section?.options.find((option) => option.key === key)?.value;
}
