import type { AppContext } from '../context.js';
import type { WriteResult } from '../store/atomic.js';
import { backupSectionFor, rfc3339 } from '../store/credentials.js';
import { formatTimeLeft, secondsUntil } from '../time.js';

export function sessionSummary(profile: string, expiration: Date, now: Date): string {
  return `Logged in ${profile} until ${rfc3339(expiration)} (${formatTimeLeft(secondsUntil(expiration, now))} left).`;
}

export function restoreNote(profile: string): string {
  return `Long-term keys are kept in [${backupSectionFor(profile)}]; aws2fa logout ${profile} puts them back.`;
}

export function warnIfShared(context: AppContext, written: WriteResult): void {
  if (written.widerThanPrivate) {
    context.stderr.write(`aws2fa: warning: ${written.target} can be read by other users: chmod 600 ${written.target}\n`);
  }
}
