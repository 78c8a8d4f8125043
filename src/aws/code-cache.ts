import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

// Compiling the AWS SDK is a large part of what an STS call costs at start-up, and Node 20 keeps no compiled code
// between runs (module.enableCompileCache came in 22.1). So the build keeps each SDK client as one CommonJS file
// (dist/sdk/) and the bundle loads it here, through V8's code cache. This is the one module outside cli.ts that
// touches `process`: it is loading machinery, not a command.

// Per user, never a shared temporary folder: what is in it is code this process runs. bin/aws2fa.js gives Node's
// own compile cache (22.1+) a folder beside it, `node`.
export function cacheFolders(env: Record<string, string | undefined>, home: string): string[] {
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(home, '.cache');
  return [base, join(base, 'aws2fa'), join(base, 'aws2fa', 'code')];
}

type CommonJsWrapper = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

// `url` names a built file whose name carries its content hash: V8 checks only a cache's source length and flags,
// so a cache is found by that name (and the Node version), never reused for other code.
export function requireWithCodeCache(url: URL): unknown {
  const path = fileURLToPath(url);
  const source = readFileSync(path, 'utf8');
  const disabled = Boolean(process.env.NODE_DISABLE_COMPILE_CACHE);
  const folders = cacheFolders(process.env, homedir());
  const folder = folders.at(-1)!;
  const cacheFile = join(folder, `${basename(path)}-${process.version}-${process.arch}.v8`);
  let cachedData: Buffer | undefined;
  try {
    if (!disabled) cachedData = readFileSync(cacheFile);
  } catch {
    // not cached yet
  }
  // The wrapper stays on the first line, so line numbers in stack traces match the file.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: path, cachedData });
  const module = { exports: {} };
  (script.runInThisContext() as CommonJsWrapper)(module.exports, createRequire(path), module, path, dirname(path));
  if (!disabled && (cachedData === undefined || script.cachedDataRejected)) {
    // At exit the cache holds what the AWS call compiled too, not only the module's top level.
    process.once('exit', () => writeCache(folders, cacheFile, script));
  }
  return module.exports;
}

// A cache that cannot be written is no error: the next run compiles again.
function writeCache(folders: string[], cacheFile: string, script: Script): void {
  const folder = folders.at(-1)!;
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
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
    // Caches of earlier builds of this client, for this Node, would otherwise pile up with every upgrade.
    const [, client, suffix] = /^(.+-)[^-]+(\.cjs-.+)$/.exec(basename(cacheFile)) ?? [];
    for (const name of client && suffix ? readdirSync(folder) : []) {
      if (name.startsWith(client!) && name.endsWith(suffix!) && name !== basename(cacheFile)) unlinkSync(join(folder, name));
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
