import type { AppContext } from '../context.js';
import type { WriteResult } from '../store/atomic.js';
import { backupSectionFor } from '../store/credentials.js';
import { formatTimeLeft, rfc3339, secondsUntil } from '../time.js';

// `Logged in prod until 2026-11-24T06:12:00Z (12h00m left).`
export function sessionSummary(what: string, expiration: Date, now: Date): string {
  return `${what} until ${rfc3339(expiration)} (${formatTimeLeft(secondsUntil(expiration, now))} left).`;
}

export function restoreNote(profile: string): string {
  return `Long-term keys are kept in [${backupSectionFor(profile)}]; aws2fa logout ${profile} puts them back.`;
}

export function warnIfShared(context: AppContext, written: WriteResult): void {
  if (written.widerThanPrivate) {
    context.stderr.write(`aws2fa: warning: ${written.target} can be read by other users: chmod 600 ${written.target}\n`);
  }
}
