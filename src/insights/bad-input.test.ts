/**
 * Every public function and class of `crosschannel/insights`, called from plain JavaScript with JSON values of
 * the wrong shape, throws (or rejects with) a CrossChannelError — never a TypeError.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrossChannelError } from '../core/errors.js';
import * as insights from './index.js';

const json = fc.jsonValue({ maxDepth: 2 });
const CLASSES = new Set(['KpiAccumulator', 'FunnelAccumulator', 'CohortAccumulator']);

async function outcome(f: () => unknown): Promise<unknown> {
  try {
    await f();
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('insights: bad input from plain JavaScript', () => {
  const fns = Object.entries(insights).filter(([, v]) => typeof v === 'function') as Array<[string, (...a: unknown[]) => unknown]>;

  it('covers the public functions', () => {
    expect(fns.length).toBeGreaterThan(25);
  });

  for (const [name, fn] of fns) {
    it(`${name} throws CrossChannelError, never a TypeError`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(json, { maxLength: 3 }), async (args) => {
          const e = await outcome(() => (CLASSES.has(name) ? new (fn as unknown as new (...a: unknown[]) => unknown)(...args) : fn(...args)));
          if (e !== undefined) expect(e, `${name}(${JSON.stringify(args)}) threw ${String(e)}`).toBeInstanceOf(CrossChannelError);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('names a KPI JSON cannot print (a BigInt) in INSIGHTS_KPI_UNKNOWN, not a TypeError', () => {
    expect(() => insights.resolveKpis(['contacts', 10n])).toThrow(expect.objectContaining({ code: 'INSIGHTS_KPI_UNKNOWN', path: 'kpis[1]', message: expect.stringContaining('Unknown KPI 10') }));
  });

  it('accumulator methods refuse bad histories and states', async () => {
    await fc.assert(
      fc.asyncProperty(json, async (v) => {
        for (const acc of [new insights.KpiAccumulator(), new insights.FunnelAccumulator({ steps: ['a', 'b'] }), new insights.CohortAccumulator()]) {
          for (const call of [() => acc.add(v as never), () => acc.merge(v as never), () => acc.addAll(v as never)]) {
            const e = await outcome(call);
            if (e !== undefined) expect(e).toBeInstanceOf(CrossChannelError);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
