import { UsageError } from 'clipanion';

// The login or logout itself worked but docker could not be logged in to (or out of) every ECR registry: a status
// of its own, so that the shell hooks still take the env session (stdout holds it) while scripts see the failure.
export const ECR_INCOMPLETE_STATUS = 3;

// Everything a user can get wrong or fix is one of these: printed as one line on stderr, no stack trace.
// Exit statuses: 2 for bad command-line input, 1 for everything else, 130/143 for interrupts.
export class UserError extends UsageError {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadInputError extends UserError {
  constructor(message: string) {
    super(message, 2);
  }
}

export class MalformedFileError extends UserError {
  constructor(readonly path: string, readonly line: number, reason: string) {
    super(`${path} line ${line}: ${reason}; fix the file (the AWS CLI refuses it too)`);
  }
}

export class UnreadableFileError extends UserError {}
export class ReadOnlyError extends UserError {}
export class UnknownProfileError extends UserError {}
export class NoLongTermKeysError extends UserError {}
export class UnrestorableSessionError extends UserError {}
export class BackupConflictError extends UserError {}
// One half of a key set with `aws configure set` while logged in: the other half is missing.
export class HalfRotationError extends UserError {}
export class InvalidRegionError extends UserError {}
export class MissingSerialError extends UserError {}
export class MissingCodeError extends UserError {}
export class RoleProfileError extends UserError {}
export class HeldSessionError extends UserError {}
export class LockTimeoutError extends UserError {}
export class LockLostError extends UserError {}
export class AwsRequestError extends UserError {}
// AWS refused the one-time code itself (AccessDenied "MultiFactorAuthentication failed"): the next code may pass.
export class WrongCodeError extends AwsRequestError {}
export class MfaProcessError extends UserError {}

// env login's output is shell code holding the secrets: on the screen it would show them and spend the code for
// nothing. Said before any request.
export class ScreenOutputError extends UserError {
  constructor() {
    super(
      `env login prints shell code for your shell to run, not for the screen: run eval "$(aws2fa env login …)" ` +
        `(fish: aws2fa env login … | source), or load the shell hook once (see aws2fa init --help) and run aws2fa env login …; nothing was sent to AWS`,
      2,
    );
  }
}
export class DockerError extends UserError {}

// The signals that end a run cleanly; the exit status is 128 + the signal's number, as shells report it.
const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as const;
export type EndingSignal = keyof typeof SIGNAL_NUMBERS;
export const ENDING_SIGNALS = Object.keys(SIGNAL_NUMBERS) as EndingSignal[];

export class InterruptedError extends UserError {
  constructor(signal: EndingSignal) {
    super(`interrupted (${signal}); nothing was written`, 128 + SIGNAL_NUMBERS[signal]);
  }
}
