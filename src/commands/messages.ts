import type { AppContext } from '../context.js';
import type { WriteResult } from '../store/atomic.js';
import { shortKey } from '../aws/failures.js';
import type { SessionWrite } from '../mfa/file-mode.js';
import { backupSectionFor } from '../store/credentials.js';
import { rfc3339, timeLeft } from '../time.js';
import { printableLines } from '../printable.js';

// `Logged in prod until 2026-11-24T06:12:00Z (12h00m left).`
export function sessionSummary(what: string, expiration: Date, now: Date): string {
  return `${what} until ${rfc3339(expiration)} (${timeLeft(expiration, now)} left).`;
}

export function restoreNote(profile: string): string {
  return `Long-term keys are kept in [${backupSectionFor(profile)}]; aws2fa logout ${profile} puts them back.`;
}

export function warnIfShared(context: AppContext, written: WriteResult): void {
  if (written.widerThanPrivate) {
    context.stderr.write(printableLines(`aws2fa: warning: ${written.target} can be read by other users: chmod 600 ${written.target}`));
  }
}

// Keys put into [PROFILE] while logged in (a rotation with `aws configure set`) are the long-term keys now.
export function noteRotation(context: AppContext, profile: string, written: SessionWrite, verb: 'login' | 'logout'): void {
  if (!written.rotation) return;
  const kept = shortKey(written.rotation.kept.accessKeyId);
  const stale = shortKey(written.rotation.stale.accessKeyId);
  const what = verb === 'login' ? `saved them in [${backupSectionFor(profile)}] in place of` : `kept them in [${profile}] and removed`;
  context.stderr.write(
    printableLines(`aws2fa: [${profile}] held long-term keys ${kept} other than the backup's ${stale} (rotated while logged in): ${what} the old ones, ${stale}`),
  );
}
