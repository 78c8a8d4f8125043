// `11h58m`, `45m`: the same shape the shell hooks' prompt prints.
export function formatTimeLeft(seconds: number): string {
  if (seconds <= 0) return 'expired';
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? `${hours}h${String(minutes % 60).padStart(2, '0')}m` : `${minutes}m`;
}

export function secondsUntil(expiration: Date, now: Date): number {
  return Math.floor((expiration.getTime() - now.getTime()) / 1000);
}

// RFC 3339 UTC to the second (`2026-11-24T06:12:00Z`): what AWS sends, and the form starship and the SDKs read.
export function rfc3339(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error(`not a valid date`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
