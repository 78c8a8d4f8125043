// Bundles the CLI into dist/: one ESM entry file plus lazily loaded chunks, and each AWS SDK client as one CommonJS
// file in dist/sdk/, which the chunks load through V8's code cache (src/aws/code-cache.ts).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// What src/aws/ uses of each client: only these are bundled (with what they need), not the client's other commands.
const SDK_EXPORTS = {
  'client-sts': ['STSClient', 'GetSessionTokenCommand', 'GetCallerIdentityCommand'],
  'client-ecr': ['ECRClient', 'GetAuthorizationTokenCommand'],
};
const SDK_CLIENTS = Object.keys(SDK_EXPORTS);
const lib = (path) => fileURLToPath(new URL(`../node_modules/${path}`, import.meta.url));

// clipanion and typanion name their CommonJS build as `main` and ship an ESM build beside it as .mjs files: the ESM
// build tree-shakes and needs no CommonJS wrappers to run at every start. (Only these two: the SDK's .mjs files are
// not drop-in.)
const esmBuilds = {
  name: 'esm-builds',
  setup(build) {
    build.onResolve({ filter: /^clipanion$/ }, () => ({ path: lib('clipanion/lib/advanced/index.mjs') }));
    build.onResolve({ filter: /^typanion$/ }, () => ({ path: lib('typanion/lib/index.mjs') }));
    // clipanion's only extensionless import: its platform folder, whose package.json `main` is `./node`.
    build.onResolve({ filter: /^\.\.\/platform$/ }, (args) =>
      args.importer.includes('clipanion') ? { path: lib('clipanion/lib/platform/node.mjs') } : undefined,
    );
  },
};

// Two spots of clipanion that cost start-up time, changed as it is bundled (the build fails if they move):
// - `--help` sorts commands with localeCompare(…, 'en'): the first collator a process creates loads ICU's
//   collation data, about 10 ms, most of what `aws2fa --help` costs. For command usages (ASCII) a plain
//   case-insensitive order is the same; test/bundle.test.ts compares the bundle's help with the sources'.
// - Commands with a `schema` import typanion dynamically, as a chunk of its own, although it is loaded anyway.
const clipanionAtStartup = {
  name: 'clipanion-at-startup',
  setup(build) {
    const patch = (file, edit) =>
      build.onLoad({ filter: new RegExp(`clipanion[\\\\/]lib[\\\\/]advanced[\\\\/]${file}\\.mjs$`) }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        const contents = edit(source);
        if (contents === source) throw new Error(`clipanion's ${file}.mjs changed: review clipanionAtStartup in scripts/build.mjs`);
        return { contents, loader: 'js' };
      });
    patch('Cli', (source) => {
      const sort = /(\w+(?:\.usage)?)\.localeCompare\((\w+(?:\.usage)?), `en`, \{ usage: `sort`, caseFirst: `upper` \}\)/g;
      if ((source.match(sort) ?? []).length !== 2) return source;
      const compare = `function __aws2faCompare(a, b) { const x = a.toLowerCase(), y = b.toLowerCase(); return x !== y ? (x < y ? -1 : 1) : a === b ? 0 : a < b ? -1 : 1; }\n`;
      return compare + source.replace(sort, `__aws2faCompare($1, $2)`);
    });
    patch('Command', (source) =>
      source.includes(`await import('typanion')`) ? `import * as __typanion from 'typanion';\n${source.replace(`await import('typanion')`, `__typanion`)}` : source,
    );
  },
};

// vm.Script (src/aws/code-cache.ts) offers no dynamic import(): the SDK's few of Node builtins become require().
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(build) {
    build.onLoad({ filter: /node_modules[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!/import\((["'])node:/.test(source)) return undefined;
      return { contents: source.replace(/import\((["'])(node:[\w/]+)\1\)/g, 'Promise.resolve().then(() => require("$2"))'), loader: 'js' };
    });
  },
};

// aws2fa always hands the SDK the keys to sign with (src/aws/sts.ts, src/aws/ecr.ts); the SDK's default credential
// chain (environment, files, SSO, processes, web identity, instance metadata, with SSO and STS clients of its own)
// is a third of each client's code and must never run. Were it ever asked, the stub fails loudly.
const noDefaultCredentialChain = {
  name: 'no-default-credential-chain',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, (args) => ({ path: args.path, namespace: 'no-default-chain' }));
    build.onLoad({ filter: /.*/, namespace: 'no-default-chain' }, () => ({
      loader: 'js',
      contents: `export const defaultProvider = () => async () => { throw new Error('aws2fa passes the AWS SDK its keys: the default credential chain is not built in'); };`,
    }));
  },
};

// The entry of dist/sdk/CLIENT-HASH.cjs: the client's exports that src/aws/ uses, nothing else.
const sdkEntry = {
  name: 'sdk-entry',
  setup(build) {
    build.onResolve({ filter: /^sdk-entry:/ }, (args) => ({ path: args.path.slice('sdk-entry:'.length), namespace: 'sdk-entry' }));
    build.onLoad({ filter: /.*/, namespace: 'sdk-entry' }, (args) => ({
      loader: 'js',
      resolveDir: fileURLToPath(new URL('../', import.meta.url)),
      contents: `export { ${SDK_EXPORTS[args.path].join(', ')} } from '@aws-sdk/${args.path}';`,
    }));
  },
};

async function buildSdkClient(client) {
  const { metafile } = await build({
    entryPoints: { [client]: `sdk-entry:${client}` },
    entryNames: '[name]-[hash]', // the code cache is found by this name: see src/aws/code-cache.ts
    outdir: 'dist/sdk',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    mainFields: ['module', 'main'],
    target: 'node20',
    minify: true,
    sourcemap: true,
    metafile: true,
    plugins: [sdkEntry, noDefaultCredentialChain, builtinsByRequire],
    logLevel: 'warning',
  });
  const file = Object.keys(metafile.outputs).find((name) => name.endsWith('.cjs'));
  const source = await readFile(file, 'utf8');
  if (/\bimport\(/.test(source)) throw new Error(`${file} still has a dynamic import(), which vm.Script cannot run`);
  const names = Object.keys(createRequire(import.meta.url)(fileURLToPath(new URL(`../${file}`, import.meta.url))));
  const exported = names.filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default');
  return { client, file: file.slice('dist/sdk/'.length), names: exported };
}

// `import('@aws-sdk/client-sts')` in src/aws/ becomes a small module that loads dist/sdk/client-sts-HASH.cjs.
function sdkThroughCodeCache(clients) {
  return {
    name: 'sdk-through-code-cache',
    setup(build) {
      const filter = new RegExp(`^@aws-sdk/(${SDK_CLIENTS.join('|')})$`);
      build.onResolve({ filter }, (args) => ({ path: args.path.slice('@aws-sdk/'.length), namespace: 'aws-sdk' }));
      build.onLoad({ filter: /.*/, namespace: 'aws-sdk' }, (args) => {
        const { file, names } = clients.find(({ client }) => client === args.path);
        return {
          resolveDir: fileURLToPath(new URL('../src/aws/', import.meta.url)),
          loader: 'js',
          // Only dynamically imported, so always a chunk of its own in dist/chunks/ (checked below).
          contents: [
            `import { requireWithCodeCache } from './code-cache.ts';`,
            `const sdk = requireWithCodeCache(new URL('../sdk/${file}', import.meta.url));`,
            `export const { ${names.join(', ')} } = sdk;`,
          ].join('\n'),
        };
      });
    },
  };
}

await rm(new URL('../dist/', import.meta.url), { recursive: true, force: true });
const clients = await Promise.all(SDK_CLIENTS.map(buildSdkClient));
const { metafile } = await build({
  entryPoints: { aws2fa: 'src/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: true,
  metafile: true,
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [esmBuilds, clipanionAtStartup, sdkThroughCodeCache(clients)],
  // Some CommonJS corners of clipanion call require(); give ESM chunks one.
  banner: { js: `import { createRequire as __aws2faRequire } from 'node:module'; const require = __aws2faRequire(import.meta.url);` },
  logLevel: 'warning',
});
// `aws2fa --help` is the same text at every run: render it once here, plain and coloured, from the CLI itself.
const renderer = new URL('../dist/render-help.mjs', import.meta.url);
await build({
  stdin: { contents: `import { buildCli } from './src/cli.ts'; process.stdout.write(JSON.stringify({ plain: buildCli(false).usage(null), colored: buildCli(true).usage(null) }));`, resolveDir: '.', loader: 'ts' },
  outfile: fileURLToPath(renderer),
  bundle: true,
  format: 'esm',
  platform: 'node',
  plugins: [esmBuilds, clipanionAtStartup, sdkThroughCodeCache(clients)],
  banner: { js: `import { createRequire as __aws2faRequire } from 'node:module'; const require = __aws2faRequire(import.meta.url);` },
  logLevel: 'warning',
});
await writeFile(new URL('../dist/help.json', import.meta.url), execFileSync(process.execPath, [fileURLToPath(renderer)]));
await rm(renderer);

// The launcher's quick entry (src/quick.ts): on its own, so that it shares no chunk with the full CLI.
await build({
  entryPoints: { quick: 'src/quick.ts' },
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
  if (Object.keys(inputs).some((input) => input.startsWith('aws-sdk:')) && !output.startsWith('dist/chunks/')) {
    throw new Error(`${output} loads the SDK from ../sdk/, so it must be in dist/chunks/`);
  }
}
