import { octopusTexts as texts } from '../../lib/messages.js';
import type { ListRequest, Page } from '../types.js';
import type { OctopusCaches } from './caches.js';

/**
 * Octopus lists without paging, and allows some listings only twice a day (docs/providers/octopus.md §4, §7): a
 * listing is one download, kept in the worker's caches (caches.ts), and served in slices. The cursor names the
 * download it pages through (`offset@stamp`), so the later pages of a listing use that download, whichever connector
 * (activity) asks for them.
 */

export const DEFAULT_PAGE_SIZE = 200;

export function listingPages(caches: OctopusCaches, reuseMs: number) {
  /** The download a page belongs to: the one its cursor names, else one started within `reuseWithinMs`, else a new one. */
  async function downloaded<T>(key: string, cursor: string | null, fetch: () => Promise<T[]>, reuseWithinMs: number) {
    const { offset, stamp } = parseCursor(cursor);
    const hit = stamp !== null ? caches.download<T>(key, { stamp }) : caches.download<T>(key, { maxAgeMs: reuseWithinMs });
    // A cursor whose download this process no longer holds (another worker, a restart) continues in a new one.
    const d = hit ?? caches.startDownload(key, fetch);
    return { records: await d.records, stamp: d.stamp, offset };
  }

  /**
   * One page of a listing. A listing with `since` is a sync after the first import (the nightly run, "Nu
   * synchroniseren"): it downloads afresh. Without it (the initial import, the cleanup) a download of the last
   * `reuseMs` is used again: "Controleer", the import right after "Opslaan" and a cleanup share one of the two calls.
   * `keep: false` forgets the download after its last page (thousands of relations should not stay in memory).
   * The high-water mark is where the download started: the next `relations/modified` asks from there.
   */
  async function page<R, T>(key: string, req: ListRequest, fetch: () => Promise<R[]>, map: (r: R) => T, opts: { keep: boolean }): Promise<Page<T>> {
    const { records, stamp, offset } = await downloaded(key, req.cursor, fetch, req.since !== null ? 0 : reuseMs);
    const end = Math.min(offset + Math.max(1, req.pageSize ?? DEFAULT_PAGE_SIZE), records.length);
    const last = end >= records.length;
    if (last && !opts.keep) caches.forget(key, stamp);
    return {
      records: records.slice(offset, end).map(map),
      nextCursor: last ? null : `${end}@${stamp}`,
      total: records.length,
      ...(last ? { highWaterMark: new Date(stamp).toISOString() } : {}),
    };
  }

  return { downloaded, page };
}

/** `offset@stamp` (the download it pages through); a bare offset is read too. */
function parseCursor(cursor: string | null): { offset: number; stamp: number | null } {
  if (cursor === null) return { offset: 0, stamp: null };
  const m = /^(\d+)(?:@(\d+))?$/.exec(cursor);
  if (!m) throw new Error(texts.badCursor(cursor));
  return { offset: Number(m[1]), stamp: m[2] !== undefined ? Number(m[2]) : null };
}
