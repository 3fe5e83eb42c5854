import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { isCrossChannelError } from '../core/errors.js';
import * as api from './index.js';
import type { AnalysisOptionsInput, ExperimentInput, HoldoutInput, MetricInput } from './index.js';

describe('every export of crosschannel/experiments', () => {
  const functions = Object.entries(api).filter(([, v]) => typeof v === 'function') as Array<[string, (...args: unknown[]) => unknown]>;

  it('called from plain JS with arbitrary JSON values throws CrossChannelError or nothing — never a TypeError', async () => {
    for (const [name, fn] of functions) {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.jsonValue(), { maxLength: 5 }), async (args) => {
          try {
            await fn(...args);
          } catch (e) {
            if (!isCrossChannelError(e)) throw new Error(`${name}(${JSON.stringify(args).slice(0, 200)}) threw ${String(e)}`);
          }
        }),
        { numRuns: 60 },
      );
    }
    expect(functions.length).toBeGreaterThan(30);
  });

  it('experimentById names an id JSON cannot print (a BigInt) in EXPERIMENT_UNKNOWN, not a TypeError', () => {
    const set = api.parseExperimentSet({ experiments: [{ id: 'subject-line', variants: [{ id: 'a' }, { id: 'b' }] }] });
    expect(api.experimentById(set, 'subject-line').id).toBe('subject-line');
    expect(() => api.experimentById(set, 10n as never)).toThrow(expect.objectContaining({ code: 'EXPERIMENT_UNKNOWN', path: 'id', message: 'No experiment 10 in the set' }));
  });
});

describe('public config types', () => {
  it('accept literals editors can autocomplete', () => {
    expectTypeOf<ExperimentInput['hashVersion']>().toEqualTypeOf<1 | 2 | undefined>();
    expectTypeOf<{ id: 'e'; variants: [{ id: 'a' }, { id: 'b' }] }>().toMatchTypeOf<ExperimentInput>();
    expectTypeOf<HoldoutInput>().toHaveProperty('share');
    expectTypeOf<MetricInput['aggregate']>().toEqualTypeOf<'conversion' | 'count' | 'sum' | undefined>();
    expectTypeOf<AnalysisOptionsInput['kind']>().toEqualTypeOf<'mean' | 'proportion' | undefined>();
  });
});
