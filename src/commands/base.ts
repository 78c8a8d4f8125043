import { Command, Option, UsageError } from 'clipanion';
import * as t from 'typanion';
import type { AppContext } from '../context.js';
import { isRegionName } from '../aws/regions.js';
import { debugFor, enableDebug } from '../debug.js';
import { parseDuration } from '../duration.js';
import { UserError } from '../errors.js';
import { printable } from '../printable.js';
import { applyProfileOption, profileOption } from './profile-option.js';

export { profileOption };

// Clipanion prints errors to stdout, where `eval "$(aws2fa env login)"` would run them: every command reports its
// own errors, as one line on stderr. Messages name profiles, sections, paths and values from files and the
// environment: shown printable, whatever they hold.
export function reportError(context: AppContext, error: unknown): number {
  if (error instanceof UserError) {
    context.stderr.write(`aws2fa: ${printable(error.message)}\n`);
    return error.exitCode;
  }
  if (error instanceof UsageError) {
    context.stderr.write(`aws2fa: ${printable(error.message.replace(/\s*\n+\s*/g, '; '))}\n`);
    return 2;
  }
  const failure = error instanceof Error ? error : new Error(String(error));
  context.stderr.write(`aws2fa: unexpected error: ${printable(failure.message)}\n`);
  if (debugFor(context).enabled) context.stderr.write(`${(failure.stack ?? '').split('\n').map(printable).join('\n')}\n`);
  else context.stderr.write(`aws2fa: run again with --debug for details, and please report it\n`);
  return 1;
}

// Accepted by every command; shown in the help of those that log something (they declare it again, shown).
export const debugOption = (shown: boolean) =>
  Option.Boolean('--debug', false, { description: 'Log files, profile, region, endpoint and each request to stderr (secrets masked); also AWS2FA_DEBUG=1', hidden: !shown });

export abstract class AppCommand extends Command<AppContext> {
  debug = debugOption(false);

  override async validateAndExecute(): Promise<number> {
    if (this.debug) enableDebug(this.context);
    try {
      applyProfileOption(this);
      return await super.validateAndExecute();
    } catch (error) {
      return reportError(this.context, error);
    }
  }
}

export abstract class FolderCommand extends AppCommand {
  static override schema = [t.hasMutuallyExclusiveKeys(['directory', 'name'], { missingIf: 'undefined' })];

  directory = Option.String('--directory', { description: 'Use DIR/credentials and DIR/config' });
  name = Option.String('--name', { description: 'Use ~/.aws-NAME/credentials and config (one folder per account)' });
}

// Checked while parsing, so a typo is found before the MFA code is spent and before any file changes.
export const isRegion = t.makeValidator<unknown, string>({
  test: (value, state): value is string => {
    if (typeof value === `string` && isRegionName(value)) return true;
    state?.errors?.push(`${state.p ?? `.`}: ${JSON.stringify(value)} is not a region name like eu-west-1`);
    return false;
  },
});

const isRegionList = t.makeValidator<unknown, string[]>({
  test: (value, state): value is string[] => Array.isArray(value) && value.every((region) => isRegion(region, { errors: state?.errors })),
});

// Seconds, or 90m, 12h, 1h30m: the option's value is the number of seconds.
export const isDuration = t.makeValidator<unknown, number>({
  test: (value, state): value is number => {
    const parsed = parseDuration(String(value));
    if (`problem` in parsed) {
      state?.errors?.push(`${state.p ?? `.`}: ${parsed.problem}`);
      return false;
    }
    if (state?.coercions && state.coercion) state.coercions.push([state.p ?? `.`, state.coercion.bind(null, parsed.seconds)]);
    return true;
  },
});

// The same three ECR options for the commands that log docker in (login, env login) and out (logout); each
// command declares them as fields itself, so they come last in its help.
export const ecrOption = (verb: `in to` | `out of`) =>
  Option.Boolean(`--ecr`, false, { description: `Also log docker ${verb} the account's ECR registry in the profile's region` });
export const ecrRegionOption = (verb: `in to` | `out of`) =>
  Option.Array(`--ecr-region`, { description: `Also log docker ${verb} ECR in this region (repeatable)`, validator: isRegionList });
export const dockerCommandOption = () =>
  Option.String(`--docker-command`, { description: `Docker-compatible client for --ecr, e.g. podman (default: $AWS2FA_DOCKER, else docker)` });

// What --duration sets differs by form: env login and exec give a role profile a role session of that length;
// file-mode login makes only the root's 12 h session (the AWS CLI and the SDKs assume the role themselves).
const DURATION_FOR_ROLES = {
  env: `for a role profile, the role session's length (default duration_seconds, else 1h; over 1h takes a code)`,
  file: `a role profile gets its root's 12h session and no role session: the AWS CLI assumes the role for its duration_seconds`,
};

// The options of a new session, shared by login, env login and exec.
// No default here: a role profile's session defaults to its duration_seconds, else 1 h.
export const durationOption = (form: keyof typeof DURATION_FOR_ROLES = `env`) =>
  Option.String('--duration,--lifespan', {
    description: `Session length: seconds, or 90m, 12h, 1h30m; 15m to 36h (default 12h); ${DURATION_FOR_ROLES[form]}`,
    validator: isDuration,
  });
export const serialOption = () => Option.String('--serial', { description: 'MFA device ARN (default: mfa_serial of the profile)' });
export const regionOption = () =>
  Option.String('--region', { description: 'STS region (default: the profile region, AWS_REGION, us-east-1)', validator: isRegion });

export abstract class SessionCommand extends FolderCommand {
  override debug = debugOption(true);
  profile = Option.String({ required: false, name: 'PROFILE' });
  code = Option.String({ required: false, name: 'CODE' });
  profileFlag = profileOption();

  duration = durationOption();
  serial = serialOption();
  region = regionOption();

  ecr = ecrOption(`in to`);
  ecrRegion = ecrRegionOption(`in to`);
  dockerCommand = dockerCommandOption();
}
