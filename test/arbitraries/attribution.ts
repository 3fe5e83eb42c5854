import fc from 'fast-check';
import type { Journey } from '../../src/attribution/journeys.js';

/** Channel names used by attribution properties (a small pool so that journeys share channels). */
export const ATTRIBUTION_CHANNELS = ['display', 'email', 'search', 'social', 'sms', 'direct', 'push'] as const;

const DAY = 86_400_000;

/**
 * One journey over `channels`: 1–`maxTouches` touches at increasing times, converting or not, value in
 * cents-like steps (possibly 0). Unattributed conversions (no touches) appear when `withUnattributed`.
 */
export function journeyArb(options: { channels?: ReadonlyArray<string>; maxTouches?: number; withUnattributed?: boolean } = {}): fc.Arbitrary<Journey> {
  const channels = options.channels ?? ATTRIBUTION_CHANNELS;
  const touches = fc.array(fc.tuple(fc.constantFrom(...channels), fc.integer({ min: 0, max: 10 * DAY })), { minLength: options.withUnattributed ? 0 : 1, maxLength: options.maxTouches ?? 6 });
  return fc
    .record({
      subjectId: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
      touches,
      converted: fc.boolean(),
      value: fc.integer({ min: 0, max: 50_000 }).map((v) => v / 100),
      gap: fc.integer({ min: 0, max: 3 * DAY }),
    })
    .filter((r) => r.touches.length > 0 || r.converted)
    .map((r): Journey => {
      let at = Date.UTC(2026, 0, 1);
      const times = r.touches.map(([, dt]) => (at += dt));
      return {
        subjectId: r.subjectId,
        channels: r.touches.map(([c]) => c),
        times,
        converted: r.converted,
        ...(r.converted ? { conversionAt: at + r.gap } : {}),
        value: r.converted ? r.value : 0,
      };
    });
}

/** A batch of journeys with at least one attributed conversion. */
export function journeysArb(options: { channels?: ReadonlyArray<string>; maxTouches?: number; maxJourneys?: number; withUnattributed?: boolean } = {}): fc.Arbitrary<Journey[]> {
  return fc.array(journeyArb(options), { minLength: 1, maxLength: options.maxJourneys ?? 30 }).filter((js) => js.some((j) => j.converted && j.channels.length > 0));
}

/** Raw warehouse-like rows: touches and conversions of a few people, timestamps in a two-month span. */
export const rawRowsArb = fc.record({
  touches: fc.array(
    fc.record({ subjectId: fc.constantFrom('a', 'b', 'c'), channel: fc.constantFrom(...ATTRIBUTION_CHANNELS), at: fc.integer({ min: 0, max: 60 * DAY }) }),
    { maxLength: 40 },
  ),
  conversions: fc.array(fc.record({ subjectId: fc.constantFrom('a', 'b', 'c'), at: fc.integer({ min: 0, max: 60 * DAY }), value: fc.integer({ min: 0, max: 1000 }) }), { maxLength: 8 }),
});
