import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import * as nodeModule from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';

// Compiling is a large part of what a start costs. The build makes the CLI (dist/app-HASH.cjs) and each AWS SDK
// client (dist/sdk/) CommonJS files, which the launcher and the CLI load here through V8's code cache (vm.Script),
// the same way on every Node. Node 22.1 and later have a compile cache of their own (module.enableCompileCache):
// `npm run bench` measures both there, and V8's cache as used here, one per command, was the faster in every run
// (CONTRIBUTING.md, "Speed"). This module touches `process` outside cli.ts: it is loading machinery, not a
// command. A cache that cannot be used, for whatever reason, is no error: the run compiles, silently.

// Per user, never a shared temporary folder: what is in it is code this process runs.
export function cacheFolders(env: Record<string, string | undefined>, home: string): string[] {
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(home, '.cache');
  return [base, join(base, 'aws2fa'), join(base, 'aws2fa', 'code')];
}

// A cache is code this process runs (V8 checks only its length and flags): it is read, and written, only where
// nobody else can have put it. The folders belong to this user (the base, ~/.cache, may be root's) and not everyone
// may write in them (group-writable is allowed for V8's cache: many systems give each user a group of their own);
// aws2fa/ and code/ are real folders, not links. A cache file is opened without following a link and trusted only
// if it is a regular file of this user, with one name, that only this user may write. Node's compile cache writes
// its files itself, so it is used only where no one else may write at all.
const me = process.getuid?.();
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK; // a planted FIFO must not block
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const LARGEST_CACHE = 64 * 1024 * 1024;

const ours = (info: Stats, owners: Array<number | undefined>) => me === undefined || owners.includes(info.uid);

// What the folder chain allows: 'strict' (only this user may write), 'group' (a group may too), or nothing.
type Trust = 'strict' | 'group' | undefined;

// `create`: make the missing folders (0700), but only inside a folder of this user: a run as root with another
// user's HOME leaves nothing there, and a folder such as /tmp is never written to.
function folderTrust(folders: string[], create: boolean): Trust {
  let trust: Trust = 'strict';
  for (const [index, folder] of folders.entries()) {
    let info: Stats;
    try {
      info = index === 0 ? statSync(folder) : lstatSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !create) return undefined;
      if (!createFolder(folder)) return undefined;
      info = lstatSync(folder);
    }
    if (!info.isDirectory() || !ours(info, index === 0 ? [me, 0] : [me]) || (info.mode & 0o002) !== 0) return undefined;
    if ((info.mode & 0o020) !== 0) trust = 'group';
  }
  return trust;
}

function createFolder(folder: string): boolean {
  const parent = statSync(dirname(folder));
  if (!parent.isDirectory() || !ours(parent, [me]) || (parent.mode & 0o002) !== 0) return false;
  try {
    mkdirSync(folder, { mode: 0o700 }); // one level: a recursive mkdirSync never returns for some paths (under /proc)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return true;
}

function readTrustedCache(cacheFile: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(cacheFile, READ_FLAGS);
    const info = fstatSync(fd);
    if (!info.isFile() || !ours(info, [me]) || info.nlink !== 1 || (info.mode & 0o022) !== 0 || info.size > LARGEST_CACHE) return undefined;
    const data = Buffer.allocUnsafe(info.size);
    let read = 0;
    while (read < data.length) {
      const got = readSync(fd, data, read, data.length - read, read);
      if (got === 0) return undefined; // shrank while read
      read += got;
    }
    return data;
  } catch {
    return undefined; // missing, a link, a loop, unreadable
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// A new name each time, created exclusively: nothing that someone put there is ever opened for writing.
function writeNewFile(path: string, data: Uint8Array): void {
  const fd = openSync(path, CREATE_FLAGS, 0o600);
  try {
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written, data.length - written);
  } finally {
    closeSync(fd);
  }
}

// Web Crypto's global, not node:crypto: a static import of that would load it at every start.
const randomName = () => Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex');

// AWS2FA_CODE_CACHE=node uses Node's compile cache instead, in the same folder, where Node has one: for
// `npm run bench`, which compares the two.
let nodeCacheOn: boolean | undefined;
function nodeCompileCache(folders: string[]): boolean {
  if (nodeCacheOn === undefined) {
    nodeCacheOn = false;
    const { enableCompileCache, constants: moduleConstants } = nodeModule as typeof nodeModule & {
      enableCompileCache?: (directory: string) => { status: number };
      constants?: { compileCacheStatus?: Record<string, number> };
    };
    const status = moduleConstants?.compileCacheStatus;
    if (typeof enableCompileCache === 'function' && status && process.env.AWS2FA_CODE_CACHE === 'node') {
      try {
        if (folderTrust(folders, true) === 'strict') {
          const { status: result } = enableCompileCache(folders.at(-1)!);
          nodeCacheOn = result === status.ENABLED || result === status.ALREADY_ENABLED;
        }
      } catch {
        // an unusable folder: V8's cache decides below, or none
      }
    }
  }
  return nodeCacheOn;
}

type CommonJsWrapper = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

// `path` names a built file whose name carries its content hash: V8 checks only a cache's source length and flags,
// so a cache is found by that name (and the Node version), never reused for other code.
//
// A V8 cache holds what the run that wrote it compiled: the top level, and the functions that run called. A run of
// another command would compile its own functions afresh every time (about 4 ms for a login whose cache a
// `status` wrote), so `kind` (the command) gives it a cache of its own.
export function requireWithCodeCache(path: string, kind = 'any'): unknown {
  const disabled = Boolean(process.env.NODE_DISABLE_COMPILE_CACHE);
  let folders: string[] = [];
  try {
    folders = cacheFolders(process.env, homedir());
  } catch {
    // no home at all: no cache
  }
  if (!disabled && folders.length > 0 && nodeCompileCache(folders)) return nodeModule.createRequire(path)(path);
  const source = readFileSync(path, 'utf8');
  const cacheFile = folders.length > 0 ? join(folders.at(-1)!, `${basename(path)}-${kind}-${process.version}-${process.arch}.v8`) : '';
  let cachedData: Buffer | undefined;
  try {
    if (!disabled && cacheFile && folderTrust(folders, false)) cachedData = readTrustedCache(cacheFile);
  } catch {
    // a folder that cannot be looked at (not a folder, a loop, no permission): uncached
  }
  // The wrapper stays on the first line, so line numbers in stack traces match the file.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: path, cachedData });
  const module = { exports: {} };
  (script.runInThisContext() as CommonJsWrapper)(module.exports, nodeModule.createRequire(path), module, path, dirname(path));
  if (!disabled && cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
    // At exit the cache holds what the run compiled too (the command, the AWS call), not only the top level.
    process.once('exit', () => writeCache(folders, cacheFile, script));
  }
  return module.exports;
}

// A cache that cannot be written is no error: the next run compiles again.
function writeCache(folders: string[], cacheFile: string, script: Script): void {
  const folder = folders.at(-1)!;
  const temporary = `${cacheFile}.${randomName()}.tmp`;
  let created = false;
  try {
    if (!folderTrust(folders, true)) return;
    writeNewFile(temporary, script.createCachedData());
    created = true;
    renameSync(temporary, cacheFile); // a link planted at the name is replaced, never followed
    created = false;
    // Caches of earlier builds of this file, or for another Node, would otherwise pile up with every upgrade; so
    // would temporary files of killed runs.
    const [, stem, built] = /^(.+-)([^-]+\.cjs-)/.exec(basename(cacheFile)) ?? [];
    const node = `-${process.version}-${process.arch}.v8`;
    for (const name of stem && built ? readdirSync(folder) : []) {
      const current = name.startsWith(stem! + built!) && name.endsWith(node);
      if (name.startsWith(stem!) && /^[^-]+\.cjs-/.test(name.slice(stem!.length)) && !current) unlinkSync(join(folder, name));
    }
  } catch {
    // read-only home, full disk, a name taken: no cache
    if (created) {
      try {
        unlinkSync(temporary);
      } catch {
        // already gone
      }
    }
  }
}
