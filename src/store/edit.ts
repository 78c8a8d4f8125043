import { findSection, reindexSplice, type IniDocument, type IniLine, type IniSection } from './ini.js';

// Edits in the manner of the AWS CLI's own writer (awscli/customizations/configure/writer.py): replace only the
// lines of the keys being set, insert missing keys after the section's last option, never re-serialise the file.
// Every edit is undone exactly by its inverse (insert ↔ delete), so login → logout gives the file back byte for byte.

function lineEnding(doc: IniDocument): string {
  return doc.lines.find((line) => line.eol !== '')?.eol ?? '\n';
}

function reindexed(doc: IniDocument, lines: IniLine[], start: number, removed: number, added: number): IniDocument {
  return reindexSplice(doc, lines, start, removed, added, '(edited)');
}

// Inserts after line `after` (-1: at the top). A file without a final line end keeps not having one.
function insertLines(doc: IniDocument, after: number, texts: string[]): IniDocument {
  const eol = lineEnding(doc);
  const lines = doc.lines.slice();
  const inserted = texts.map((text) => ({ text, eol }));
  const previous = lines[after] && { ...lines[after]! };
  if (previous) lines[after] = previous;
  if (previous && previous.eol === '' && inserted.length > 0) {
    previous.eol = eol;
    inserted[inserted.length - 1]!.eol = '';
  }
  keepApart(previous, inserted[0], inserted[0]);
  keepApart(inserted.at(-1), lines[after + 1], inserted.at(-1));
  lines.splice(after + 1, 0, ...inserted);
  return reindexed(doc, lines, Math.max(after, 0), after >= 0 ? 1 : 0, (after >= 0 ? 1 : 0) + inserted.length);
}

// A lone CR followed by an empty line ending in LF would be read as one CRLF: a blank line gone. The inserted line
// of the two takes a CRLF instead (it goes again at logout, so no byte of the user's changes).
function keepApart(left: IniLine | undefined, right: IniLine | undefined, inserted: IniLine | undefined): void {
  if (!left || !right || !inserted || left.eol !== '\r' || right.text !== '' || !right.eol.startsWith('\n')) return;
  inserted.eol = '\r\n';
}

function deleteLines(doc: IniDocument, first: number, last: number): IniDocument {
  const lines = doc.lines.slice();
  const removedEnd = lines[last]?.eol;
  if (removedEnd === '' && first > 0 && last === lines.length - 1) lines[first - 1] = { ...lines[first - 1]!, eol: '' };
  lines.splice(first, last - first + 1);
  // The line before is part of the change: its line end may have changed.
  return reindexed(doc, lines, Math.max(first - 1, 0), last - first + 1 + (first > 0 ? 1 : 0), first > 0 ? 1 : 0);
}

function sectionEnd(section: IniSection): number {
  return section.options.at(-1)?.last ?? section.header;
}

function requireSection(doc: IniDocument, name: string): IniSection {
  const section = findSection(doc, name);
  if (!section) throw new Error(`section [${name}] vanished during an edit`);
  return section;
}

function assertSingleLine(value: string): void {
  if (/[\r\n]/.test(value)) throw new Error(`refusing to write a value with a line break`);
}

// An option as written: `key = value` and the indented lines that follow it (configparser reads them as more lines
// of the value; a file may hold them after a secret). Moved as they are between [PROFILE] and its backup.
export type Entry = [key: string, value: string, continuation?: string[]];

export function continuationOf(doc: IniDocument, sectionName: string, key: string): string[] {
  const option = findSection(doc, sectionName)?.options.find((candidate) => candidate.key === key.toLowerCase());
  return option ? doc.lines.slice(option.first + 1, option.last + 1).map((line) => line.text) : [];
}

// The value's continuation lines are replaced by `continuation` (none by default).
export function setOption(doc: IniDocument, sectionName: string, key: string, value: string, continuation: string[] = []): IniDocument {
  assertSingleLine(value);
  continuation.forEach(assertSingleLine);
  const section = requireSection(doc, sectionName);
  const existing = section.options.find((option) => option.key === key.toLowerCase());
  if (!existing) return insertLines(doc, sectionEnd(section), [`${key} = ${value}`, ...continuation]);
  const first = doc.lines[existing.first]!;
  // Keep the user's spelling of the key and separator (`Key: v`, `key=v`) and any trailing blanks: replace only
  // the value, so that the inverse edit gives back every byte.
  const kept = first.text.trimEnd();
  const trailing = first.text.slice(kept.length);
  const spliced = existing.value === '' ? `${kept} ${value}${trailing}` : first.text.slice(0, existing.valueStart) + value + trailing;
  const replaced = doc.lines.slice();
  replaced[existing.first] = { ...replaced[existing.first]!, text: spliced };
  const withValue = reindexed(doc, replaced, existing.first, 1, 1);
  const trimmed = existing.last > existing.first ? deleteLines(withValue, existing.first + 1, existing.last) : withValue;
  return continuation.length > 0 ? insertLines(trimmed, existing.first, continuation) : trimmed;
}

export function removeOption(doc: IniDocument, sectionName: string, key: string): IniDocument {
  const section = requireSection(doc, sectionName);
  const existing = section.options.find((option) => option.key === key.toLowerCase());
  return existing ? deleteLines(doc, existing.first, existing.last) : doc;
}

export function addSection(doc: IniDocument, name: string, entries: Entry[], afterSection?: string): IniDocument {
  for (const [, value, continuation = []] of entries) [value, ...continuation].forEach(assertSingleLine);
  assertSingleLine(name);
  const anchor = afterSection ? findSection(doc, afterSection) : undefined;
  const after = anchor ? sectionEnd(anchor) : doc.lines.length - 1;
  const separator = after >= 0 ? [''] : [];
  const texts = [...separator, `[${name}]`, ...entries.flatMap(([key, value, continuation = []]) => [`${key} = ${value}`, ...continuation])];
  return insertLines(doc, after, texts);
}

// Removes the header, its options and the one blank line that addSection put before it.
export function removeSection(doc: IniDocument, name: string): IniDocument {
  const section = findSection(doc, name);
  if (!section) return doc;
  const blankBefore = section.header > 0 && doc.lines[section.header - 1]!.text.trim() === '';
  return deleteLines(doc, blankBefore ? section.header - 1 : section.header, sectionEnd(section));
}
