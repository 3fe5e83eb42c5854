/**
 * Smoke scenarios run twice — in Node against the sources and in headless Chromium against the browser
 * bundles of each pure entry — and compared result for result. Each scenario takes the loaded entries and
 * returns plain data, so one file serves both runtimes; it imports types only, never values, so its browser
 * bundle carries no copy of the library.
 */
import type * as Core from '../../src/index.js';
import type * as Identity from '../../src/identity/index.js';
import type * as Consent from '../../src/consent/index.js';
import type * as Capping from '../../src/capping/index.js';
import type * as Segments from '../../src/segments/index.js';
import type * as Arbitration from '../../src/arbitration/index.js';
import type * as Attribution from '../../src/attribution/index.js';
import type * as Decide from '../../src/decide/index.js';
import type * as Memory from '../../src/adapters/memory/index.js';

/** The pure entries, loaded: keys are entry labels (`index` is the root `crosschannel`). */
export interface Modules {
  index: typeof Core;
  identity: typeof Identity;
  consent: typeof Consent;
  capping: typeof Capping;
  segments: typeof Segments;
  arbitration: typeof Arbitration;
  attribution: typeof Attribution;
  decide: typeof Decide;
  'adapters/memory': typeof Memory;
}

export type Scenario = (m: Modules) => unknown;

/** Turns whatever a scenario returned into JSON-comparable data (Maps, Sets, errors, non-finite numbers). */
export function plain(value: unknown, seen = new WeakSet<object>()): unknown {
  if (value === undefined) return '<undefined>';
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '<cycle>';
  seen.add(value);
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; path?: unknown };
    return { error: e.name, code: plain(e.code, seen), path: plain(e.path, seen), message: e.message };
  }
  if (value instanceof Map) return { map: [...value].map(([k, v]) => [plain(k, seen), plain(v, seen)]) };
  if (value instanceof Set) return { set: [...value].map((v) => plain(v, seen)) };
  if (value instanceof Date) return { date: value.toISOString() };
  if (ArrayBuffer.isView(value)) return { bytes: Array.from(value as unknown as ArrayLike<number>) };
  if (Array.isArray(value)) return value.map((v) => plain(v, seen));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = plain((value as Record<string, unknown>)[key], seen);
  return out;
}

function thrown(fn: () => unknown): unknown {
  try {
    return { returned: fn() };
  } catch (e) {
    return e;
  }
}

const PARIS_FALL_BACK = 1_792_929_600_000; // 2026-10-25T12:00:00Z, the day Paris leaves summer time

export const scenarios: Record<string, Scenario> = {
  'core: DST-correct calendar windows and local time': ({ index: c }) => ({
    day: c.calendarWindow(PARIS_FALL_BACK, 'day', 'Europe/Paris'),
    week: c.calendarWindow(PARIS_FALL_BACK, 'week', 'America/New_York', { weekStartsOn: 1 }),
    month: c.calendarWindow(PARIS_FALL_BACK, 'month', 'Asia/Kolkata'),
    local: c.localTime(PARIS_FALL_BACK, 'Australia/Lord_Howe'),
    gap: c.fromLocalTime({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Paris'),
    next: c.addLocal(PARIS_FALL_BACK, 1, 'month', 'Europe/Paris'),
  }),
  'core: parsing times and durations, typed errors with paths': ({ index: c }) => ({
    iso: c.toEpochMs('2026-03-29T01:30:00+02:00'),
    durations: [c.durationToMs('1h30m'), c.durationToMs('P7D'), c.durationToMs({ days: 30 })],
    badTime: thrown(() => c.toEpochMs('25/10/2026', ['events', 0, 'at'])),
    badZone: c.isValidTimeZone('Mars/Olympus'),
    safe: c.safeToEpochMs('tomorrow').ok,
  }),
  'core: shared records validate through zod': ({ index: c }) => ({
    contact: c.parseContactRecord({ id: 'c1', subjectId: 'p1', channel: 'email', at: '2026-10-25T08:00:00Z' }),
    bad: thrown(() => c.parseContactRecord({ id: 'c1', subjectId: 'p1', channel: 'email', at: 'yesterday' })),
  }),
  'core: seeded randomness and hashing (Web Crypto)': async ({ index: c }) => {
    const rng = c.createRng('portability');
    return {
      draws: [rng.next(), rng.next(), rng.int(1000), rng.normal()],
      fnv: c.fnv1a('crosschannel'),
      sha: await c.sha256Hex('crosschannel'),
      salted: await c.saltedSha256Hex('pepper', 'ada@example.com'),
    };
  },
};

/** Runs every scenario, capturing failures as data so one broken scenario does not hide the others. */
export async function runScenarios(m: Modules): Promise<Record<string, { ok: boolean; value: unknown }>> {
  const out: Record<string, { ok: boolean; value: unknown }> = {};
  for (const [name, scenario] of Object.entries(scenarios)) {
    try {
      out[name] = { ok: true, value: plain(await scenario(m)) };
    } catch (e) {
      out[name] = { ok: false, value: plain(e) };
    }
  }
  return out;
}
