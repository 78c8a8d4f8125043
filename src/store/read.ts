import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { MalformedFileError, UnreadableFileError } from '../errors.js';
import { parseIni, splitLines, type IniDocument } from './ini.js';

export interface LoadedFile {
  path: string;
  exists: boolean;
  text: string;
  doc: IniDocument;
}

// Far beyond any real credentials or config file (a 40,000-profile file is 5 MB); a bound keeps a wrong path
// (a disk image, a log) from filling memory.
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

// Synchronous, like every file operation of the store: a run does one thing at a time, and node:fs/promises
// would cost a module load at every start and a thread-pool round trip per call.
export function loadIniFile(path: string): LoadedFile {
  const bytes = readBounded(path);
  if (!bytes) return { path, exists: false, text: '', doc: parseIni('', path) };
  const text = decodeUtf8(bytes, path);
  // Login and logout read the file again under the lock; unchanged (the usual case), its parse is reused.
  const earlier = lastRead.get(path);
  const doc = earlier?.text === text ? earlier.doc : parseIni(text, path);
  lastRead.set(path, { text, doc });
  return { path, exists: true, text, doc };
}

const lastRead = new Map<string, { text: string; doc: IniDocument }>();

// O_NONBLOCK: opening a FIFO would otherwise wait forever for a writer; what is opened must then be a regular file.
function readBounded(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EACCES') throw new UnreadableFileError(`cannot read ${path}: permission denied (check its owner and mode)`);
    throw new UnreadableFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new UnreadableFileError(`${path} is a directory, not a file: move it away or point --directory elsewhere`);
    if (isDevNull(info)) return Buffer.alloc(0); // AWS_CONFIG_FILE=/dev/null: "no config file", as botocore reads it
    if (!info.isFile()) throw new UnreadableFileError(`${path} is ${kindOf(info)}, not a regular file: point it at an AWS credentials or config file`);
    return readAtMost(fd, path);
  } finally {
    closeSync(fd);
  }
}

function readAtMost(fd: number, path: string): Buffer {
  const tooLarge = () =>
    new UnreadableFileError(`${path} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB, far more than any AWS credentials or config file: check the path`);
  if (fstatSync(fd).size > MAX_FILE_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, MAX_FILE_BYTES + 1 - total));
    const read = readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, read));
    total += read;
    if (total > MAX_FILE_BYTES) throw tooLarge(); // grew while read
  }
}

function isDevNull(info: Stats): boolean {
  try {
    return info.isCharacterDevice() && info.rdev === statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

// Python decodes the file strictly, so botocore refuses bytes that are not UTF-8; decoding them leniently would
// write U+FFFD back in their place. The error names the first line holding such bytes.
function decodeUtf8(bytes: Buffer, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const lines = splitLines(bytes.toString('latin1')); // one character per byte: line ends are ASCII
    const bad = lines.findIndex((line) => {
      try {
        strict.decode(Buffer.from(line.text, 'latin1'));
        return false;
      } catch {
        return true;
      }
    });
    throw new MalformedFileError(path, bad + 1, `bytes that are not UTF-8 (save the file as UTF-8)`);
  }
}
