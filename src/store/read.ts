import { readFileSync } from 'node:fs';
import { UnreadableFileError } from '../errors.js';
import { parseIni, type IniDocument } from './ini.js';

export interface LoadedFile {
  path: string;
  exists: boolean;
  text: string;
  doc: IniDocument;
}

// Synchronous, like every file operation of the store: a run does one thing at a time, and node:fs/promises
// would cost a module load at every start and a thread-pool round trip per call.
export function loadIniFile(path: string): LoadedFile {
  let text = '';
  let exists = true;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') exists = false;
    else if (code === 'EISDIR') throw new UnreadableFileError(`${path} is a directory, not a file: move it away or point --directory elsewhere`);
    else if (code === 'EACCES') throw new UnreadableFileError(`cannot read ${path}: permission denied (check its owner and mode)`);
    else throw new UnreadableFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return { path, exists, text, doc: parseIni(text, path) };
}
