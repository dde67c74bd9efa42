// xsd:dateTime values (RFC 7643 §2.3.5) as comparable instants, for filters such as
// `meta.lastModified gt "2011-05-13T04:42:34Z"`. Hand-written rather than Date.parse: Date.parse
// accepts many non-ISO shapes, and it drops digits beyond milliseconds, so `…21.8617979-07:00`
// (.NET clients send seven) and `…21.8617978-07:00` would compare equal.

/** An instant: whole milliseconds since the epoch plus the nanoseconds below them (0–999999). */
export interface Instant {
  ms: number;
  ns: number;
}

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
};

function num(s: string, at: number, width: number): number {
  let n = 0;
  for (let i = at; i < at + width; i++) {
    const d = digit(s, i);
    if (d < 0) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Parses `YYYY-MM-DDThh:mm[:ss[.fraction]][Z|±hh:mm|±hhmm]`; without an offset the time is UTC.
 * A bare date (`YYYY-MM-DD`) is midnight UTC. Returns undefined for anything else.
 */
export function parseDateTime(s: string): Instant | undefined {
  const n = s.length;
  if (n < 10 || n > 64) return undefined;
  const year = num(s, 0, 4);
  const month = num(s, 5, 2);
  const day = num(s, 8, 2);
  if (year < 0 || s[4] !== '-' || s[7] !== '-' || month < 1 || month > 12 || day < 1) return undefined;
  if (day > daysIn(year, month)) return undefined;
  let hour = 0,
    minute = 0,
    second = 0,
    ns = 0,
    ms = 0,
    offsetMinutes = 0;
  let i = 10;
  if (i < n) {
    const t = s[i];
    if (t !== 'T' && t !== 't' && t !== ' ') return undefined;
    hour = num(s, i + 1, 2);
    minute = num(s, i + 4, 2);
    if (hour < 0 || hour > 23 || s[i + 3] !== ':' || minute < 0 || minute > 59) return undefined;
    i += 6;
    if (s[i] === ':') {
      second = num(s, i + 1, 2);
      if (second < 0 || second > 60) return undefined; // 60: a leap second
      i += 3;
      if (s[i] === '.' || s[i] === ',') {
        i++;
        const start = i;
        let fraction = 0,
          scale = 1e9;
        while (i < n && digit(s, i) >= 0) {
          if (scale > 1) {
            scale /= 10;
            fraction += digit(s, i) * scale;
          }
          i++;
        }
        if (i === start) return undefined;
        ms = Math.floor(fraction / 1e6);
        ns = Math.round(fraction - ms * 1e6);
      }
    }
    if (i < n) {
      const z = s[i];
      if ((z === 'Z' || z === 'z') && i + 1 === n) {
        i++;
      } else if (z === '+' || z === '-') {
        const oh = num(s, i + 1, 2);
        let om: number;
        if (s[i + 3] === ':' && i + 6 === n) om = num(s, i + 4, 2);
        else if (i + 5 === n) om = num(s, i + 3, 2);
        else if (i + 3 === n) om = 0;
        else return undefined;
        if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
        offsetMinutes = (z === '-' ? -1 : 1) * (oh * 60 + om);
        i = n;
      } else {
        return undefined;
      }
    }
  }
  const epoch = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  // Date.UTC maps years 0–99 onto 1900–1999; SCIM dates that old do not occur, so refuse them.
  if (year < 100 || !Number.isFinite(epoch)) return undefined;
  return { ms: epoch, ns };
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** <0, 0, >0 like a sort comparator. */
export function compareInstants(a: Instant, b: Instant): number {
  return a.ms !== b.ms ? a.ms - b.ms : a.ns - b.ns;
}
