// Bundles the CLI into dist/, minified, each file with its source map beside it:
// - aws2fa.cjs: the launcher (src/boot/launcher.ts), what package.json's `bin` names; answers --version, --help
//   and `init SHELL` itself.
// - app-HASH.cjs: the whole CLI (src/cli.ts) in one file, which the launcher loads through V8's code cache
//   (src/boot/code-cache.ts).
// - sdk/client-sts-HASH.cjs, sdk/client-ecr-HASH.cjs, sdk/client-iam-HASH.cjs (rotate): the AWS SDK clients, loaded the same way, and only by the
//   commands that call AWS.
// - help.json: `aws2fa --help`, rendered here from the CLI itself, which also gives the launcher its command words.
// CommonJS, from ES module sources: on Node 20 an ES module entry costs about 3 ms more at every start, and ES
// modules get no code cache there (CONTRIBUTING.md, "Speed").
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// What src/aws/ uses of each client: only these are bundled (with what they need), not the client's other commands.
const SDK_EXPORTS = {
  'client-sts': ['STSClient', 'GetSessionTokenCommand', 'GetCallerIdentityCommand', 'AssumeRoleCommand', 'GetFederationTokenCommand'],
  'client-ecr': ['ECRClient', 'GetAuthorizationTokenCommand'],
  'client-iam': ['IAMClient', 'ListAccessKeysCommand', 'CreateAccessKeyCommand', 'DeleteAccessKeyCommand'],
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
// - Commands with a `schema` import typanion dynamically, although it is loaded anyway.
// - `Cli.defaultContext` reads `process.stdin` as clipanion is loaded, and each run copies the contexts with `...`,
//   which reads it again: Node then builds a stdin stream, about 2 ms, that no command of aws2fa reads (the code
//   is asked on the terminal only, src/cli.ts). The patched clipanion keeps `stdin` a getter, in its default
//   context and through the copies, so the stream is built only if something reads it.
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
      const copies = /\{\s*\.\.\.(Cli\.defaultContext|context),\s*\.\.\.(userContext|subContext),?\s*\}/g;
      const eagerStdin = /(Cli\.defaultContext = \{\s*env: process\.env,\s*)stdin: process\.stdin,/;
      if ((source.match(copies) ?? []).length !== 4 || !eagerStdin.test(source)) return source;
      const merge = `function __aws2faMerge(a, b) { return Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(a), ...Object.getOwnPropertyDescriptors(b) }); }\n`;
      return (
        merge +
        source
          .replace(copies, `__aws2faMerge($1, $2)`)
          .replace(eagerStdin, `$1get stdin() { return process.stdin; },`)
      );
    });
    patch('Command', (source) =>
      source.includes(`await import('typanion')`) ? `import * as __typanion from 'typanion';\n${source.replace(`await import('typanion')`, `__typanion`)}` : source,
    );
  },
};

// Every file is CommonJS run by vm.Script (src/boot/code-cache.ts), which offers no dynamic import(): esbuild turns
// each into a require() (of a builtin) or a lazily run part of the same file (of bundled code).
const COMMON = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  supported: { 'dynamic-import': false },
  minify: true,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
};

// The sources are ES modules: `import.meta.url` is the built file's own URL (src/boot/quick.ts, src/shell/hooks.ts),
// worked out only where it is read (--help, init), not at every start.
const IMPORT_META_URL = {
  define: { 'import.meta.url': '__aws2faFile.url' },
  banner: { js: `var __aws2faFile = { get url() { return require('node:url').pathToFileURL(__filename).href; } };` },
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

// aws2fa also hands each client every setting it would look up (src/aws/client-settings.ts): the SDK's reader of
// ~/.aws/config and ~/.aws/credentials (whole files, unbounded, of AWS_PROFILE or default) must never run. Its two
// entries are replaced by stubs that fail loudly; the build fails if they move.
const SHARED_FILE_READERS = {
  loadSharedConfigFiles: `export const CONFIG_PREFIX_SEPARATOR = '.';\nexport const loadSharedConfigFiles = async () => { throw new Error(NOT_BUILT_IN); };`,
  readFile: `export const filePromises = {};\nexport const fileIntercept = {};\nexport const readFile = async () => { throw new Error(NOT_BUILT_IN); };`,
};
const noSharedConfigFiles = {
  name: 'no-shared-config-files',
  setup(build) {
    const stubbed = new Set();
    const filter = new RegExp(`@smithy[\\\\/]core[\\\\/]dist-es[\\\\/]submodules[\\\\/]config[\\\\/]shared-ini-file-loader[\\\\/](${Object.keys(SHARED_FILE_READERS).join('|')})\\.js$`);
    build.onLoad({ filter }, async (args) => {
      const name = filter.exec(args.path)[1];
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(`export const ${name} = `)) throw new Error(`${args.path} changed: review noSharedConfigFiles in scripts/build.mjs`);
      stubbed.add(name);
      const message = `aws2fa passes the AWS SDK its settings: the SDK's reader of the shared config and credentials files is not built in`;
      return { loader: 'js', contents: `const NOT_BUILT_IN = ${JSON.stringify(message)};\n${SHARED_FILE_READERS[name]}` };
    });
    build.onEnd((result) => {
      if (result.errors.length === 0 && !stubbed.has('loadSharedConfigFiles')) {
        throw new Error(`the SDK's loadSharedConfigFiles was not met while bundling: review noSharedConfigFiles in scripts/build.mjs`);
      }
    });
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

// A file that vm.Script runs must not keep an import(): it would fail only when that line runs.
async function requireNoDynamicImport(file) {
  const source = await readFile(file, 'utf8');
  if (/\bimport\(/.test(source)) throw new Error(`${file} still has a dynamic import(), which vm.Script cannot run`);
}

const outputFile = (metafile) => Object.keys(metafile.outputs).find((name) => name.endsWith('.cjs'));

async function buildSdkClient(client) {
  const { metafile } = await build({
    ...COMMON,
    entryPoints: { [client]: `sdk-entry:${client}` },
    entryNames: '[name]-[hash]', // the code cache is found by this name: see src/boot/code-cache.ts
    outdir: 'dist/sdk',
    outExtension: { '.js': '.cjs' },
    mainFields: ['module', 'main'],
    plugins: [sdkEntry, noDefaultCredentialChain, noSharedConfigFiles],
  });
  const file = outputFile(metafile);
  await requireNoDynamicImport(file);
  const names = Object.keys(createRequire(import.meta.url)(fileURLToPath(new URL(`../${file}`, import.meta.url))));
  const exported = names.filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default');
  return { client, file: file.slice('dist/'.length), names: exported };
}

// `import('@aws-sdk/client-sts')` in src/aws/ becomes a small module that loads dist/sdk/client-sts-HASH.cjs: the
// code that calls AWS runs it, lazily, and no other.
function sdkThroughCodeCache(clients) {
  return {
    name: 'sdk-through-code-cache',
    setup(build) {
      const filter = new RegExp(`^@aws-sdk/(${SDK_CLIENTS.join('|')})$`);
      build.onResolve({ filter }, (args) => ({ path: args.path.slice('@aws-sdk/'.length), namespace: 'aws-sdk' }));
      build.onLoad({ filter: /.*/, namespace: 'aws-sdk' }, (args) => {
        const { file, names } = clients.find(({ client }) => client === args.path);
        return {
          resolveDir: fileURLToPath(new URL('../src/', import.meta.url)),
          loader: 'js',
          contents: [
            `import { join } from 'node:path';`,
            `import { requireWithCodeCache } from './boot/code-cache.ts';`,
            `const sdk = requireWithCodeCache(join(__dirname, ${JSON.stringify(file)}));`,
            `export const { ${names.join(', ')} } = sdk;`,
          ].join('\n'),
        };
      });
    },
  };
}

await rm(new URL('../dist/', import.meta.url), { recursive: true, force: true });
const clients = await Promise.all(SDK_CLIENTS.map(buildSdkClient));

const app = await build({
  ...COMMON,
  ...IMPORT_META_URL,
  entryPoints: { app: 'src/cli.ts' },
  entryNames: '[name]-[hash]', // the code cache is found by this name
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  plugins: [esmBuilds, clipanionAtStartup, sdkThroughCodeCache(clients)],
});
const appFile = outputFile(app.metafile);
await requireNoDynamicImport(appFile);
for (const [output, { inputs }] of Object.entries(app.metafile.outputs)) {
  for (const input of Object.keys(inputs)) {
    if (input.startsWith('sdk-entry:') || input.includes('node_modules/@aws-sdk/') || input.includes('node_modules/@smithy/')) {
      throw new Error(`${output} bundles ${input}: the AWS SDK belongs in dist/sdk/, loaded only to call AWS`);
    }
  }
}


// `aws2fa --help` is the same text at every run: render it once here, plain and coloured, from the CLI itself.
// The same run lists the first word of every command's paths: the launcher gives each its own code cache, so a
// new command never shares another's (clipanion keeps its commands in `registrations`; the build fails if not).
const renderer = new URL('../dist/render-help.cjs', import.meta.url);
await build({
  ...COMMON,
  ...IMPORT_META_URL,
  stdin: {
    contents: [
      `import { buildCli } from './src/cli.ts';`,
      `const cli = buildCli(false);`,
      `const words = [...cli.registrations.keys()].flatMap((command) => command.paths ?? []).map((path) => path[0]);`,
      `const commandWords = [...new Set(words.filter((word) => word !== undefined && !word.startsWith('-')))];`,
      `process.stdout.write(JSON.stringify({ plain: cli.usage(null), colored: buildCli(true).usage(null), commandWords }));`,
    ].join('\n'),
    resolveDir: '.',
    loader: 'ts',
  },
  outfile: fileURLToPath(renderer),
  minify: false,
  sourcemap: false,
  plugins: [esmBuilds, clipanionAtStartup, sdkThroughCodeCache(clients)],
});
const { commandWords, ...help } = JSON.parse(execFileSync(process.execPath, [fileURLToPath(renderer)], { encoding: 'utf8' }));
await rm(renderer);
if (!Array.isArray(commandWords) || !commandWords.includes('login')) throw new Error(`no command words from the CLI: ${commandWords}`);
await writeFile(new URL('../dist/help.json', import.meta.url), JSON.stringify(help));

const launcher = await build({
  ...COMMON,
  ...IMPORT_META_URL,
  entryPoints: { aws2fa: 'src/boot/launcher.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  define: {
    ...IMPORT_META_URL.define,
    AWS2FA_APP_FILE: JSON.stringify(appFile.slice('dist/'.length)),
    AWS2FA_COMMAND_WORDS: JSON.stringify(commandWords),
  },
});
for (const input of Object.keys(Object.values(launcher.metafile.outputs).find((output) => output.entryPoint)?.inputs ?? {})) {
  if (input.includes('node_modules') || input === 'src/cli.ts') throw new Error(`the launcher bundles ${input}: it must stay small`);
}
await chmod(new URL('../dist/aws2fa.cjs', import.meta.url), 0o755);

