import { Command, Option, UsageError } from 'clipanion';
import * as t from 'typanion';
import type { AppContext } from '../context.js';
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
  if (context.env.AWS2FA_DEBUG) context.stderr.write(`${failure.stack ?? ''}\n`);
  else context.stderr.write(`aws2fa: run again with AWS2FA_DEBUG=1 for details, and please report it\n`);
  return 1;
}

export abstract class AppCommand extends Command<AppContext> {
  override async validateAndExecute(): Promise<number> {
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

export abstract class SessionCommand extends FolderCommand {
  profile = Option.String({ required: false, name: 'profile' });
  code = Option.String({ required: false, name: 'code' });

  duration = Option.String('--duration,--lifespan', '43200', {
    description: 'Session length in seconds, 900–129600 (default 43200 = 12 h)',
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(900, 129600)]),
  });
  serial = Option.String('--serial', { description: 'MFA device ARN (default: mfa_serial of the profile)' });
  region = Option.String('--region', { description: 'STS region (default: the profile region, AWS_REGION, us-east-1)' });
}
