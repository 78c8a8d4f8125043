import { addSection, setOption } from './edit.js';
import { findSection, optionValue, type IniDocument, type IniSection } from './ini.js';

// botocore reads config sections as `[profile NAME]` split with shlex, and `[default]` as is.
function shlexSplit(text: string): string[] | undefined {
  // Most names have no quote or backslash: then shlex only splits at whitespace.
  if (!/['"\\]/.test(text)) return text.split(/\s+/).filter((word) => word !== '');
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === `'` || c === `"`) {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return undefined;
      word = (word ?? '') + text.slice(i + 1, end).replace(c === `"` ? /\\(["\\])/g : /(?!)/g, '$1');
      i = end;
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

// The profile a config section is for: `[profile NAME]` -> NAME, `[default]` -> default, others (sso-session,
// services) none.
export function configProfileName(section: string): string | undefined {
  if (section === 'default') return 'default';
  if (!section.startsWith('profile')) return undefined;
  const words = shlexSplit(section);
  return words?.length === 2 && words[0] === 'profile' ? words[1] : undefined;
}

// Config section names by profile for each document: a scan (and a shlex split) per lookup would make `status` on
// a config file of thousands of profiles quadratic. Documents are values, replaced on every edit, so the index of
// one never goes stale.
const profileSections = new WeakMap<IniDocument, Map<string, string>>();

export function configSectionName(doc: IniDocument, profile: string): string | undefined {
  return profileSectionsOf(doc).get(profile);
}

function profileSectionsOf(doc: IniDocument): Map<string, string> {
  let index = profileSections.get(doc);
  if (!index) {
    index = new Map();
    for (const section of doc.sections) {
      const name = configProfileName(section.name);
      if (name === undefined) continue;
      // `[profile default]` wins over `[default]`, as botocore merges them.
      if (section.name !== 'default') index.set(name, section.name);
      else if (!index.has(name)) index.set(name, section.name);
    }
    profileSections.set(doc, index);
  }
  return index;
}

export function configSection(doc: IniDocument, profile: string): IniSection | undefined {
  const name = configSectionName(doc, profile);
  return name === undefined ? undefined : findSection(doc, name);
}

// Every profile the config file names, as botocore reads the section names.
export function configProfileNames(doc: IniDocument): string[] {
  return [...profileSectionsOf(doc).keys()];
}

function newSectionName(profile: string): string {
  if (profile === 'default') return 'default';
  return /^[\w.@+:/-]+$/.test(profile) ? `profile ${profile}` : `profile '${profile.replace(/'/g, `'"'"'`)}'`;
}

export function setConfigValue(doc: IniDocument, profile: string, key: string, value: string): IniDocument {
  const name = configSectionName(doc, profile);
  return name === undefined ? addSection(doc, newSectionName(profile), [[key, value]]) : setOption(doc, name, key, value);
}

export function configValue(doc: IniDocument, profile: string, key: string): string | undefined {
  return optionValue(configSection(doc, profile), key);
}
