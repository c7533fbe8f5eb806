/** A date-time read from text, or why it is not one (a phrase that follows the field's name). */
export type DateTimeReading = { ok: true; date: Date } | { ok: false; problem: string };

// RFC 3339 `date-time`: seconds required, an offset (Z or ±hh:mm) required, "T" and "Z" in either case.
const RFC_3339 =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})[Tt](?<hour>\d{2}):(?<minute>\d{2}):(?<second>\d{2})(?:\.(?<fraction>\d{1,9}))?(?:[Zz]|(?<sign>[+-])(?<offsetHour>\d{2}):(?<offsetMinute>\d{2}))$/;

export const DATE_TIME_SHAPE = 'must be an RFC 3339 date-time with an offset, like 2026-11-22T06:00:00Z';

/**
 * Reads an RFC 3339 date-time and refuses what does not exist. `new Date()`
 * rolls 2026-02-31 over to 2026-03-03 and T24:00 to the next day; here the
 * components are set on a UTC date and must read back unchanged.
 */
export function parseDateTime(text: unknown): DateTimeReading {
  const parts = typeof text === 'string' ? RFC_3339.exec(text)?.groups : undefined;
  if (!parts) return { ok: false, problem: DATE_TIME_SHAPE };
  const { year = '', month = '', day = '', hour = '', minute = '', second = '', fraction = '', sign, offsetHour = '00', offsetMinute = '00' } = parts;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];

  const probe = new Date(0);
  probe.setUTCFullYear(y, mo - 1, d);
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) {
    return { ok: false, problem: `names a day that does not exist: ${year}-${month}-${day}` };
  }
  if (s === 60 && h <= 23 && mi <= 59) {
    return { ok: false, problem: `names a leap second (${hour}:${minute}:60), which cannot be stored; send ${hour}:${minute}:59 instead` };
  }
  probe.setUTCHours(h, mi, s, Number(fraction.slice(0, 3).padEnd(3, '0')));
  if (probe.getUTCDate() !== d || probe.getUTCHours() !== h || probe.getUTCMinutes() !== mi || probe.getUTCSeconds() !== s) {
    return { ok: false, problem: `names a time that does not exist: ${hour}:${minute}:${second}` };
  }
  if (Number(offsetHour) > 23 || Number(offsetMinute) > 59) {
    return { ok: false, problem: `has an offset that does not exist: ${sign}${offsetHour}:${offsetMinute}` };
  }
  const offsetMs = (Number(offsetHour) * 60 + Number(offsetMinute)) * 60_000;
  return { ok: true, date: new Date(probe.getTime() - (sign === '-' ? -offsetMs : offsetMs)) };
}
