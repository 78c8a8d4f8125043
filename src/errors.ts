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
export class InvalidRegionError extends UserError {}
export class MissingSerialError extends UserError {}
export class MissingCodeError extends UserError {}
export class LockTimeoutError extends UserError {}
export class AwsRequestError extends UserError {}
// AWS refused the one-time code itself (AccessDenied "MultiFactorAuthentication failed"): the next code may pass.
export class WrongCodeError extends AwsRequestError {}
export class MfaProcessError extends UserError {}
export class DockerError extends UserError {}

export class InterruptedError extends UserError {
  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted (${signal}); nothing was written`, signal === 'SIGINT' ? 130 : 143);
  }
}
