import real from 'fast-check';
import { describe, expect, it } from 'vitest';
import fc, { assert, runsFactor } from './fc-stress.js';

describe('the stress run’s fast-check (npm run test:stress)', () => {
  it('reads FC_RUNS_FACTOR: 10 by default, any positive number, anything else refused', () => {
    expect(runsFactor({})).toBe(10);
    expect(runsFactor({ FC_RUNS_FACTOR: '' })).toBe(10);
    expect(runsFactor({ FC_RUNS_FACTOR: '3' })).toBe(3);
    expect(runsFactor({ FC_RUNS_FACTOR: '0.5' })).toBe(0.5);
    for (const bad of ['0', '-2', 'ten', 'Infinity']) expect(() => runsFactor({ FC_RUNS_FACTOR: bad })).toThrow(/FC_RUNS_FACTOR must be a positive number/);
  });

  it('runs each property the factor times its own budget (100 when it names none)', () => {
    const factor = runsFactor();
    let calls = 0;
    assert(real.property(real.integer(), () => void calls++), { numRuns: 7 });
    expect(calls).toBe(Math.round(7 * factor));
    calls = 0;
    fc.assert(fc.property(fc.integer(), () => void calls++));
    expect(calls).toBe(Math.round(100 * factor));
  });

  it('ignores a pinned seed, so each stress run explores new inputs', () => {
    const seen = (): string => {
      const values: number[] = [];
      assert(real.property(real.integer(), (v) => void values.push(v)), { numRuns: 20, seed: 42 });
      return values.join(',');
    };
    expect(seen()).not.toBe(seen());
  });

  it('still fails a property that does not hold, with its seed to replay', () => {
    expect(() => assert(real.property(real.nat(), (n) => n < 1_000), { numRuns: 50 })).toThrow(/seed/);
  });

  it('keeps the rest of fast-check as it is', () => {
    expect(fc.integer).toBe(real.integer);
    expect(fc.property).toBe(real.property);
  });
});
