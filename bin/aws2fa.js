#!/usr/bin/env node
// Node 22.1+ keeps V8's compiled code of the bundle between runs, here in a folder of this user's, beside the one
// src/aws/code-cache.ts uses for the AWS SDK on any Node. Node 20 has no such API. Without a cache, runs are only
// slower: every failure is silent.
import module from 'node:module';

if (module.enableCompileCache && !process.env.NODE_DISABLE_COMPILE_CACHE) {
  try {
    const { mkdirSync } = await import('node:fs');
    const { homedir } = await import('node:os');
    const { isAbsolute, join } = await import('node:path');
    const base = process.env.XDG_CACHE_HOME;
    let folder = base && isAbsolute(base) ? base : join(homedir(), '.cache');
    // One level at a time, and before Node's own: a recursive mkdir never returns for some paths (under /proc).
    for (const name of ['', 'aws2fa', 'node']) {
      folder = join(folder, name);
      try {
        mkdirSync(folder, { mode: 0o700 });
      } catch (error) {
        if (error.code !== 'EEXIST') throw error;
      }
    }
    module.enableCompileCache(folder);
  } catch {
    // no cache
  }
}
// `init SHELL` (every shell start), `--version` and `--help` come from a small entry; the rest from the full CLI.
// Colours as src/cli.ts decides them.
const argv = process.argv.slice(2);
const colors = Boolean(process.stdout.isTTY) && process.stdout.getColorDepth() > 1;
const quickly = ['init', '--version', '-v', '--help', '-h'].includes(argv[0]);
const quick = quickly ? (await import('../dist/quick.js')).quickAnswer(argv, colors) : undefined;
if (quick === undefined) await import('../dist/aws2fa.js');
else process.stdout.write(quick);
