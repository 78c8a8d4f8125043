// --duration: whole seconds as STS takes them, or hours and minutes as people say them (90m, 12h, 1h30m).

export const MIN_SESSION_SECONDS = 900;
export const MAX_SESSION_SECONDS = 129600;

export type ParsedDuration = { seconds: number } | { problem: string };

const UNITS = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export function parseDuration(text: string): ParsedDuration {
  const seconds = secondsIn(text);
  if (seconds === undefined) return { problem: `expected seconds like 3600, or hours and minutes like 90m, 12h or 1h30m (got ${JSON.stringify(text)})` };
  if (seconds < MIN_SESSION_SECONDS || seconds > MAX_SESSION_SECONDS) {
    const got = /^-?\d+$/.test(text) ? text : `${text} = ${seconds} seconds`;
    return { problem: `expected to be in the [${MIN_SESSION_SECONDS}; ${MAX_SESSION_SECONDS}] range, 15m to 36h (got ${got})` };
  }
  return { seconds };
}

function secondsIn(text: string): number | undefined {
  // A negative count is a number all the same: it gets the range message, not the format one.
  if (/^-?\d+$/.test(text)) return Number(text);
  const units = UNITS.exec(text);
  if (!units || text === ``) return undefined;
  const [, hours = `0`, minutes = `0`, seconds = `0`] = units;
  return Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
}
