// Clipanion writes an option's value as `#0` (`--region #0`); the help says what goes there instead, and puts
// `[--debug]` after the options that do the work.

const PLACEHOLDERS: Record<string, string> = {
  '--duration': `SECONDS|1h`,
  '--serial': `ARN`,
  '--region': `REGION`,
  '--ecr-region': `REGION`,
  '--directory': `DIR`,
  '--name': `NAME`,
  '--shell': `SHELL`,
  '--docker-command': `PROGRAM`,
};

// An option not in the list still gets a word, not a number: `--role-arn` takes ROLE_ARN.
const placeholderFor = (name: string) => PLACEHOLDERS[name] ?? name.replace(/^-+/, ``).replace(/-/g, `_`).toUpperCase();

// `--duration,--lifespan #0` → `--duration,--lifespan SECONDS|1h`
export function namePlaceholders(text: string): string {
  return text.replace(/((-{1,2}[\w-]+)(?:,-{1,2}[\w-]+)*) #0/g, (_, names: string, first: string) => `${names} ${placeholderFor(first)}`);
}

const DEBUG = ` [--debug]`;

// `aws2fa login [--debug] [--name NAME] [PROFILE]` → `aws2fa login [--name NAME] [--debug] [PROFILE]`
export function debugLast(usage: string): string {
  if (!usage.includes(DEBUG)) return usage;
  const rest = usage.replace(DEBUG, ``);
  const lastOption = /.*\[-[^\]]*\]/.exec(rest);
  return lastOption ? `${lastOption[0]}${DEBUG}${rest.slice(lastOption[0].length)}` : usage;
}

// Clipanion writes the operands from the option declarations (`<PROFILE> ...`); a command whose operands say more
// than that (exec: where the code, the `--` and the command go) names them itself. `[options]` says where they
// go when they are listed below rather than inline.
export function withOperands(usage: string, operands: string, optionsListed: boolean): string {
  const generated = / (?:<[^>]*>|\[[^\]-][^\]]*\]|\.\.\.)(?: (?:<[^>]*>|\[[^\]-][^\]]*\]|\.\.\.))*$/;
  return `${usage.replace(generated, ``)}${optionsListed ? ` [options]` : ``} ${operands}`;
}
