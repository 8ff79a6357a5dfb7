import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { syncScheduleOptions } from '../../lib/schedules.js';

/**
 * The daily sync of the API-limited providers (docs/sync.md, docs/quota.md): one run a day per tenant in the night window
 * (01:00–05:00 Europe/Amsterdam), at a stable minute per tenant, so a hundred tenants do not all call Octopus or
 * Rompslomp at the same minute.
 */

const WINDOW_START_HOUR = 1;
const WINDOW_END_HOUR = 5;
// Realistic tenant ids: a company slug plus a short suffix, as the Simon backend hands them out.
const tenants = Array.from({ length: 100 }, (_, i) => `${['installatie', 'loodgieter', 'klimaat', 'elektro', 'dak'][i % 5]}-${String(1000 + i * 37).slice(-4)}-${i}`);
const minuteOfDay = (c: { hour?: unknown; minute?: unknown }) => Number(c.hour) * 60 + Number(c.minute);

function calendarOf(tenantId: string, provider: 'octopus' | 'rompslomp' = 'octopus') {
  const spec = syncScheduleOptions({ tenantId, provider, taskQueue: 'q' }).spec;
  expect(spec.timezone).toBe('Europe/Amsterdam');
  expect(spec.calendars).toHaveLength(1);
  return spec.calendars![0] as { hour: number; minute: number };
}

describe('daily sync schedule spec', () => {
  it.each(['octopus', 'rompslomp'] as const)('%s: one calendar entry a day, inside the night window, at a stable minute per tenant', (provider) => {
    for (const tenant of tenants) {
      const c = calendarOf(tenant, provider);
      expect(c.hour).toBeGreaterThanOrEqual(WINDOW_START_HOUR);
      expect(c.hour).toBeLessThan(WINDOW_END_HOUR);
      expect(c.minute).toBeGreaterThanOrEqual(0);
      expect(c.minute).toBeLessThan(60);
      expect(calendarOf(tenant, provider)).toEqual(c);
    }
    const spec = syncScheduleOptions({ tenantId: tenants[0], provider, taskQueue: 'q' }).spec;
    expect(spec.intervals ?? []).toHaveLength(0);
  });

  it('spreads a hundred tenants over the window instead of one minute', () => {
    const starts = tenants.map((t) => minuteOfDay(calendarOf(t)));
    const perMinute = new Map<number, number>();
    for (const m of starts) perMinute.set(m, (perMinute.get(m) ?? 0) + 1);
    // 100 tenants over 240 minutes: about 82 distinct minutes expected by chance, never a pile-up.
    expect(perMinute.size).toBeGreaterThanOrEqual(70);
    expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(3);
    const perHour = [1, 2, 3, 4].map((h) => starts.filter((m) => Math.floor(m / 60) === h).length);
    for (const n of perHour) expect(n).toBeGreaterThanOrEqual(15);
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThan(180);
  });

  it('keeps the 5-minute providers on their interval', () => {
    const spec = syncScheduleOptions({ tenantId: tenants[0], provider: 'factuursturen', taskQueue: 'q' }).spec;
    expect(spec.calendars ?? []).toHaveLength(0);
    expect(spec.intervals).toHaveLength(1);
  });
});

describe('daily sync schedules on a real Temporal server', () => {
  let connection: Connection;
  let client: Client;
  const created: string[] = [];
  const suffix = randomBytes(3).toString('hex');

  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
    client = new Client({ connection });
  });
  afterAll(async () => {
    for (const id of created) await client.schedule.getHandle(id).delete().catch(() => {});
    await connection?.close();
  });

  it("Temporal's own next run times of a hundred tenants fall in the Amsterdam night, spread over it", async () => {
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', hourCycle: 'h23', hour: '2-digit', minute: '2-digit' });
    const nextRuns: Date[] = [];
    for (const tenant of tenants) {
      const options = syncScheduleOptions({ tenantId: `${tenant}-${suffix}`, provider: 'octopus', taskQueue: `unpolled-${suffix}` });
      // Paused: this test only reads the specs; nothing may start (the task queue has no worker either).
      await client.schedule.create({ ...options, state: { paused: true, note: 'schedules.test.ts' } });
      created.push(options.scheduleId);
      const desc = await client.schedule.getHandle(options.scheduleId).describe();
      expect(desc.spec.timezone).toBe('Europe/Amsterdam');
      const next = desc.info.nextActionTimes[0];
      expect(next).toBeInstanceOf(Date);
      nextRuns.push(next);
    }
    const minutes = nextRuns.map((d) => {
      const [h, m] = local.format(d).split(':').map(Number) as [number, number];
      return h * 60 + m;
    });
    // Jitter adds up to 2 minutes to the calendar time.
    for (const m of minutes) {
      expect(m).toBeGreaterThanOrEqual(WINDOW_START_HOUR * 60);
      expect(m).toBeLessThanOrEqual(WINDOW_END_HOUR * 60 + 2);
    }
    expect(new Set(minutes).size).toBeGreaterThanOrEqual(60);
    // Each run is within a day from now: once a day, not once a week or month.
    for (const d of nextRuns) expect(d.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3_600_000 + 5 * 60_000);
  });
});
