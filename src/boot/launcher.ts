#!/usr/bin/env node
// The published binary (dist/aws2fa.cjs): answers `init SHELL` (every shell start), `--version` and `--help`
// itself, and hands anything else to the full CLI, loaded through V8's code cache. CommonJS, not an ES module:
// on Node 20 an ES module entry alone costs about 3 ms more per start, and ES modules get no code cache there.
import { join } from 'node:path';
import type * as Cli from '../cli.js';
import { printable } from '../printable.js';
import { requireWithCodeCache } from './code-cache.js';
import { refuseHeldDescriptor } from './held-descriptor.js';
import { quickAnswer } from './quick.js';

// Set by scripts/build.mjs: the CLI's file name, with its content hash, and the first words of its commands' paths,
// taken from the CLI itself.
declare const AWS2FA_APP_FILE: string;
declare const AWS2FA_COMMAND_WORDS: string[];

const argv = process.argv.slice(2);
// Before anything else: a descriptor named by AWS2FA_HELD_FD that the shell did not pass is not touched, and the
// variable goes (one line: a run the hook started never sees it). AWS2FA_TEST_NO_PROC: the check as on macOS.
const heldFd = process.env.AWS2FA_HELD_FD;
if (heldFd) {
  const refused = refuseHeldDescriptor(heldFd, { proc: process.env.AWS2FA_TEST_NO_PROC !== '1' });
  if (refused !== undefined) {
    process.stderr.write(`aws2fa: AWS2FA_HELD_FD=${printable(heldFd)} ignored: ${refused}\n`);
    delete process.env.AWS2FA_HELD_FD;
  }
}
// Colours as src/cli.ts decides them.
const colors = Boolean(process.stdout.isTTY) && process.stdout.getColorDepth() > 1;
const quick = quickAnswer(argv, colors);
// Each command keeps its own code cache of the CLI (code-cache.ts).
const kind = AWS2FA_COMMAND_WORDS.includes(argv[0] ?? '') ? argv[0] : 'other';
if (quick !== undefined) {
  // `aws2fa init bash >/dev/full`, a closed pipe: one line, as the full CLI says it, not a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    process.stderr.write(`aws2fa: could not write the output to stdout (${error.code ?? error.message})\n`);
    process.exitCode = 1;
  });
  process.stdout.write(quick);
} else void (requireWithCodeCache(join(__dirname, AWS2FA_APP_FILE), kind) as typeof Cli).main();
