import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCaps } from '../capping/evaluate.js';
import type { CapRuleInput } from '../capping/rules.js';
import { MINUTE } from '../core/time.js';
import { zoneOffsetMs } from '../core/zone.js';
import { CAPPING_ZONES, capCandidateArb, capHistoryArb, capNowArb, capRuleSetArb } from '../../test/arbitraries/capping.js';
import { compileSendCaps, legalSlots } from './legal.js';
import { hourOfWeek } from './week.js';

describe('legalSlots', () => {
  it('allows exactly the moments evaluateCaps allows, each evaluated on its own (the brute-force oracle)', () => {
    fc.assert(
      fc.property(
        capRuleSetArb,
        capCandidateArb,
        fc.constantFrom(...CAPPING_ZONES),
        capNowArb.chain((now) => fc.tuple(fc.constant(now), capHistoryArb(now))),
        fc.constantFrom(15 * MINUTE, 60 * MINUTE, 7 * MINUTE, 45 * MINUTE, 90_000, 150 * MINUTE),
        fc.constantFrom(null, -1, 0, 1),
        (rules, candidate, zone, [now, raw], step, jitter) => {
          // Half the runs put every record on the grid (± 1 ms), where off-by-one edges would show.
          const snap = <T extends { at: number }>(r: T): T => (jitter === null ? r : { ...r, at: now + Math.round((r.at - now) / step) * step + jitter });
          const history = { ...raw, contacts: raw.contacts.map(snap), responses: raw.responses.map(snap) };
          const onGrid = (ms: number): number => Math.max(step, Math.round(ms / step) * step);
          const snapRule = (r: CapRuleInput): CapRuleInput => {
            if (jitter === null) return r;
            if (r.kind === 'gap' && typeof r.minGap === 'number') return { ...r, minGap: onGrid(r.minGap) };
            if (r.kind === 'cooldown' && typeof r.duration === 'number') return { ...r, duration: onGrid(r.duration) };
            if (r.kind === 'limit' && typeof r.window === 'object' && 'rolling' in r.window && typeof r.window.rolling === 'number') return { ...r, window: { rolling: onGrid(r.window.rolling) } };
            return r;
          };
          const sendCaps = compileSendCaps({ ...rules, rules: rules.rules.map(snapRule) });
          const count = Math.floor((2 * 86_400_000) / step);
          const grid = legalSlots(sendCaps, history, candidate, zone, now, step, count);
          for (let k = 0; k < count; k++) {
            const t = now + k * step;
            const oracle = evaluateCaps(history, sendCaps.caps, candidate, { now: t, timeZone: zone }).allowed;
            if ((grid.allowed[k] === 1) !== oracle) throw new Error(`slot ${k} (${new Date(t).toISOString()} in ${zone}): ours ${grid.allowed[k]}, evaluateCaps ${oracle}`);
            expect(grid.hourOfWeek[k]).toBe(hourOfWeek(t, zone));
            // The local clock hour the moment falls in (runs of moments in one hour are grouped by it).
            expect(grid.wallHour[k]).toBe(Math.floor((t + zoneOffsetMs(t, zone)) / 3_600_000));
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);

  it('gives every moment its local hour of the week and clock hour, across week ends and offset changes (the clock oracle)', () => {
    const HOUR = 3_600_000;
    fc.assert(
      fc.property(
        fc.constantFrom(...CAPPING_ZONES, 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns'),
        // Minute-aligned starts (the incremental path) and unaligned ones (the per-moment path), near DST changes.
        capNowArb.chain((base) => fc.oneof(fc.constant(Math.floor(base / MINUTE) * MINUTE), fc.constant(base))),
        fc.constantFrom(MINUTE, 5 * MINUTE, 15 * MINUTE, 45 * MINUTE, 60 * MINUTE, 90_000, 150 * MINUTE, 1_441 * MINUTE),
        fc.integer({ min: 1, max: 1_500 }),
        (zone, start, step, count) => {
          const grid = legalSlots(compileSendCaps({ rules: [] }), { contacts: [], responses: [] }, { channel: 'email' }, zone, start, step, count);
          for (let k = 0; k < count; k++) {
            const t = start + k * step;
            if (grid.hourOfWeek[k] !== hourOfWeek(t, zone)) throw new Error(`slot ${k} (${new Date(t).toISOString()} in ${zone}): hour of week ${grid.hourOfWeek[k]}, want ${hourOfWeek(t, zone)}`);
            const wallHour = Math.floor((t + zoneOffsetMs(t, zone)) / HOUR);
            if (grid.wallHour[k] !== wallHour) throw new Error(`slot ${k} (${new Date(t).toISOString()} in ${zone}): clock hour ${grid.wallHour[k]}, want ${wallHour}`);
            expect(grid.allowed[k]).toBe(1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
