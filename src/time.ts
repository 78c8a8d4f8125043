// `11h58m`, `45m`: the same shape, rounded the same way (down to the minute), as the shell hooks' aws2fa_prompt.
export function formatTimeLeft(seconds: number): string {
  if (seconds <= 0) return 'expired';
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? `${hours}h${String(minutes % 60).padStart(2, '0')}m` : `${minutes}m`;
}

// Whole seconds of the clock, as the prompt counts them (`AWS2FA_EXPIRES - EPOCHSECONDS`): the expiry's second
// minus the current second. Subtracting milliseconds first would make a session that ends in one hour show
// `59m` for the rest of the second it was made in, where the prompt shows `1h00m`.
export function secondsUntil(expiration: Date, now: Date): number {
  return Math.floor(expiration.getTime() / 1000) - Math.floor(now.getTime() / 1000);
}

// The one text for the time a session has left: login and env login messages, status (table and shell line).
export function timeLeft(expiration: Date, now: Date): string {
  return formatTimeLeft(secondsUntil(expiration, now));
}

// RFC 3339 UTC to the second (`2026-11-24T06:12:00Z`): what AWS sends, and the form starship and the SDKs read.
export function rfc3339(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error(`not a valid date`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
