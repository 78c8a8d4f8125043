import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';

// Compiling is a large part of what a start costs, and Node 20 keeps no compiled code between runs (Node's own
// compile cache came in 22.1). So the build makes the CLI (dist/app-HASH.cjs) and each AWS SDK client (dist/sdk/)
// CommonJS files, which the launcher and the CLI load here, through V8's code cache, the same way on every Node.
// This module touches `process` outside cli.ts: it is loading machinery, not a command.

// Per user, never a shared temporary folder: what is in it is code this process runs.
export function cacheFolders(env: Record<string, string | undefined>, home: string): string[] {
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(home, '.cache');
  return [base, join(base, 'aws2fa'), join(base, 'aws2fa', 'code')];
}

// A cache is code this process runs (V8 checks only its length and flags): it is read, and written, only where
// nobody else can have put it. The folders belong to this user (or root) and not everyone may write in them
// (group-writable is allowed: many systems give each user a group of their own); the file is this user's and only
// this user may write it, as written here (0600). Otherwise (XDG_CACHE_HOME=/tmp, say) runs compile, uncached.
const me = process.getuid?.();

function foreign(info: Stats, owners: Array<number | undefined>, writableBits: number): boolean {
  return (me !== undefined && !owners.includes(info.uid)) || (info.mode & writableBits) !== 0;
}

function privateFolders(folders: string[]): boolean {
  for (const folder of folders) {
    const info = statSync(folder, { throwIfNoEntry: false });
    if (!info) return true; // the rest is made, 0700, when a cache is written
    if (!info.isDirectory() || foreign(info, [me, 0], 0o002)) return false;
  }
  return true;
}

function readTrustedCache(folders: string[], cacheFile: string): Buffer | undefined {
  const info = statSync(cacheFile, { throwIfNoEntry: false });
  if (!info?.isFile() || foreign(info, [me], 0o022) || !privateFolders(folders)) return undefined;
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

type CommonJsWrapper = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

// `path` names a built file whose name carries its content hash: V8 checks only a cache's source length and flags,
// so a cache is found by that name (and the Node version), never reused for other code.
//
// A cache holds what the run that wrote it compiled: the top level, and the functions that run called. A run of
// another command would compile its own functions afresh every time (about 4 ms for a login whose cache a
// `status` wrote), so `kind` (the command) gives it a cache of its own.
export function requireWithCodeCache(path: string, kind = 'any'): unknown {
  const source = readFileSync(path, 'utf8');
  const disabled = Boolean(process.env.NODE_DISABLE_COMPILE_CACHE);
  const folders = cacheFolders(process.env, homedir());
  const folder = folders.at(-1)!;
  const cacheFile = join(folder, `${basename(path)}-${kind}-${process.version}-${process.arch}.v8`);
  const cachedData = disabled ? undefined : readTrustedCache(folders, cacheFile);
  // The wrapper stays on the first line, so line numbers in stack traces match the file.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: path, cachedData });
  const module = { exports: {} };
  (script.runInThisContext() as CommonJsWrapper)(module.exports, createRequire(path), module, path, dirname(path));
  if (!disabled && (cachedData === undefined || script.cachedDataRejected)) {
    // At exit the cache holds what the run compiled too (the command, the AWS call), not only the top level.
    process.once('exit', () => writeCache(folders, cacheFile, script));
  }
  return module.exports;
}

// A cache that cannot be written is no error: the next run compiles again.
function writeCache(folders: string[], cacheFile: string, script: Script): void {
  const folder = folders.at(-1)!;
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    if (!privateFolders(folders)) return;
    // One level at a time: a recursive mkdirSync never returns for some paths (under /proc, Node 20 and 22).
    for (const each of folders) {
      try {
        mkdirSync(each, { mode: 0o700 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    renameSync(temporary, cacheFile);
    // Caches of earlier builds of this file, or for another Node, would otherwise pile up with every upgrade.
    const [, stem, built] = /^(.+-)([^-]+\.cjs-)/.exec(basename(cacheFile)) ?? [];
    const node = `-${process.version}-${process.arch}.v8`;
    for (const name of stem && built ? readdirSync(folder) : []) {
      const current = name.startsWith(stem! + built!) && name.endsWith(node);
      if (name.startsWith(stem!) && /^[^-]+\.cjs-/.test(name.slice(stem!.length)) && !current) unlinkSync(join(folder, name));
    }
  } catch {
    // read-only home, full disk: no cache
    try {
      unlinkSync(temporary);
    } catch {
      // never written
    }
  }
}
