import { Command, Option, UsageError } from 'clipanion';
import * as t from 'typanion';
import type { AppContext } from '../context.js';
import { isRegionName } from '../aws/regions.js';
import { debugFor, enableDebug } from '../debug.js';
import { UserError } from '../errors.js';

// Clipanion prints errors to stdout, where `eval "$(aws2fa env login)"` would run them: every command reports its
// own errors, as one line on stderr.
export function reportError(context: AppContext, error: unknown): number {
  if (error instanceof UserError) {
    context.stderr.write(`aws2fa: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof UsageError) {
    context.stderr.write(`aws2fa: ${error.message.replace(/\s*\n+\s*/g, '; ')}\n`);
    return 2;
  }
  const failure = error instanceof Error ? error : new Error(String(error));
  context.stderr.write(`aws2fa: unexpected error: ${failure.message}\n`);
  if (debugFor(context).enabled) context.stderr.write(`${failure.stack ?? ''}\n`);
  else context.stderr.write(`aws2fa: run again with --debug for details, and please report it\n`);
  return 1;
}

export abstract class AppCommand extends Command<AppContext> {
  debug = Option.Boolean('--debug', false, { description: 'Log files, profile, region, endpoint and each request to stderr (secrets masked); also AWS2FA_DEBUG=1' });

  override async validateAndExecute(): Promise<number> {
    if (this.debug) enableDebug(this.context);
    try {
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
const isRegion = t.makeValidator<unknown, string>({
  test: (value, state): value is string => {
    if (typeof value === `string` && isRegionName(value)) return true;
    state?.errors?.push(`${state.p ?? `.`}: ${JSON.stringify(value)} is not a region name like eu-west-1`);
    return false;
  },
});

const isRegionList = t.makeValidator<unknown, string[]>({
  test: (value, state): value is string[] => Array.isArray(value) && value.every((region) => isRegion(region, { errors: state?.errors })),
});

// The same three ECR options for the commands that log docker in (login, env login) and out (logout); each
// command declares them as fields itself, so they come last in its help.
export const ecrOption = (verb: `in to` | `out of`) =>
  Option.Boolean(`--ecr`, false, { description: `Also log docker ${verb} the account's ECR registry in the profile's region` });
export const ecrRegionOption = (verb: `in to` | `out of`) =>
  Option.Array(`--ecr-region`, { description: `Also log docker ${verb} ECR in this region (repeatable)`, validator: isRegionList });
export const dockerCommandOption = () =>
  Option.String(`--docker-command`, { description: `Docker-compatible client for --ecr, e.g. podman (default: $AWS2FA_DOCKER, else docker)` });

// The options of a new session, shared by login, env login and exec.
export const durationOption = () =>
  Option.String('--duration,--lifespan', '43200', {
    description: 'Session length in seconds, 900–129600 (default 43200 = 12 h)',
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(900, 129600)]),
  });
export const serialOption = () => Option.String('--serial', { description: 'MFA device ARN (default: mfa_serial of the profile)' });
export const regionOption = () =>
  Option.String('--region', { description: 'STS region (default: the profile region, AWS_REGION, us-east-1)', validator: isRegion });

export abstract class SessionCommand extends FolderCommand {
  profile = Option.String({ required: false, name: 'PROFILE' });
  code = Option.String({ required: false, name: 'CODE' });

  duration = durationOption();
  serial = serialOption();
  region = regionOption();

  ecr = ecrOption(`in to`);
  ecrRegion = ecrRegionOption(`in to`);
  dockerCommand = dockerCommandOption();
}
