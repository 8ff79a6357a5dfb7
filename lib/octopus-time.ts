/**
 * Octopus's `modifiedTimeStamp` is wall-clock text, `YYYY-MM-DD HH:MM:SS.mmm`, without a zone (public Python and
 * Laravel clients: docs/providers/octopus.md §1, §9). Octopus is a Belgian service, so we read and write it as
 * Europe/Brussels time; the connector asks with a margin of a few hours, so a server that meant UTC still misses nothing.
 */

export const OCTOPUS_TIME_ZONE = 'Europe/Brussels';

const formatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: OCTOPUS_TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

function wallParts(t: number): Record<string, string> {
  return Object.fromEntries(formatter.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
}

/** An instant as Octopus wall-clock text: `2026-11-23 14:05:09.120`. */
export function formatOctopusTimestamp(at: Date): string {
  const p = wallParts(at.getTime());
  const ms = String(at.getTime() % 1000).padStart(3, '0');
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}.${ms}`;
}

/** Octopus wall-clock text back to an instant; null when it is not in that format. */
export function parseOctopusTimestamp(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number((ms ?? '0').padEnd(3, '0')));
  // The zone's offset at that wall time: guess with the offset at `wall`, then correct once (DST edges).
  const offsetAt = (t: number) => {
    const p = wallParts(t);
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - Math.floor(t / 1000) * 1000;
  };
  const first = wall - offsetAt(wall);
  return new Date(wall - offsetAt(first));
}
