// Bundles the CLI into dist/: one ESM entry file plus lazily loaded chunks (the AWS SDK lives only in those).
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

await rm(new URL('../dist/', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { aws2fa: 'src/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // The SDK's ESM builds: with Node's default (main first) its CommonJS builds break under a dynamic import().
  mainFields: ['module', 'main'],
  target: 'node20',
  minify: true,
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  // The SDK's CommonJS parts call require(); give ESM chunks one.
  banner: { js: `import { createRequire as __aws2faRequire } from 'node:module'; const require = __aws2faRequire(import.meta.url);` },
  logLevel: 'warning',
});
