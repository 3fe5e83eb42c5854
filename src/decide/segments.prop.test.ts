/**
 * The segments stage answers with the needed segments the person is in, in sorted order, whichever way it gets
 * there: one `evaluate` pass when every segment of the set is needed, one `matches` per needed id otherwise.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSegments } from '../segments/compile.js';
import { eventsArb, NOW, profileArb, segmentListArb } from '../../test/arbitraries/segments.js';
import type { DecideConfig } from './config.js';
import type { LoadedState } from './load.js';
import type { DecideRequest } from './request.js';
import { evaluateNeededSegments } from './segments.js';

describe('evaluateNeededSegments', () => {
  it('equals the needed ids (sorted) that `matches` admits one by one, for every subset of the set', () => {
    fc.assert(
      fc.property(
        segmentListArb,
        profileArb,
        eventsArb,
        fc.func(fc.boolean()),
        fc.option(fc.record({ a: fc.integer(), s: fc.constantFrom('a', 'ab') }, { requiredKeys: [] }), { nil: undefined }),
        (defs, profile, events, keep, context) => {
          // Ids renamed so that definition order is the reverse of sorted order (s0, s1 → z9, z8): a pass in
          // definition order must still come back sorted.
          const segments = compileSegments(JSON.parse(JSON.stringify(defs).replace(/"s(\d)"/g, (_, d: string) => `"z${9 - Number(d)}"`)));
          const all = segments.ids;
          for (const needed of [all, all.filter((id) => keep(id))]) {
            const config = { segments, neededSegments: [...needed].sort() } as unknown as DecideConfig;
            const state = { profile: { subjectId: 'p1', ...profile }, history: { subjectId: 'p1', contacts: [], responses: [], events }, consentEvents: [] } as unknown as LoadedState;
            const req = { now: NOW, ...(context ? { context } : {}) } as unknown as DecideRequest;
            const merged = context ? { ...state.profile, ...context } : state.profile;
            const oracle = config.neededSegments.filter((id) => segments.matches(id, merged, events, NOW));
            expect(evaluateNeededSegments(config, state, req)).toEqual(oracle);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
