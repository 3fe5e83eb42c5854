import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCrossChannelError } from '../core/errors.js';
import * as journeys from './index.js';
import { parseJourney } from './compile.js';
import { startInstance } from './instance.js';
import { welcome } from './scenarios/fixtures.js';

// Plain JS may call any export with any JSON: the answer is a result or a CrossChannelError, never a TypeError.
const json = fc.oneof(fc.jsonValue(), fc.constant(undefined));
const journey = parseJourney(welcome);
const goodOrJunk = fc.oneof(json, fc.constant(journey), fc.constant(startInstance(journey, 'p', 0)));

describe('journeys exports on arbitrary JSON', () => {
  const fns = Object.entries(journeys).filter(([name, v]) => typeof v === 'function' && !name.endsWith('Schema')) as Array<[string, (...a: unknown[]) => unknown]>;

  it.each(fns.map(([n]) => n))('%s throws only CrossChannelError', (name) => {
    const fn = fns.find(([n]) => n === name)![1];
    fc.assert(
      fc.property(fc.array(goodOrJunk, { maxLength: 5 }), (args) => {
        try {
          const r = fn(...args);
          if (r instanceof Promise) r.catch(() => undefined);
        } catch (e) {
          expect(isCrossChannelError(e), `${name}(${JSON.stringify(args).slice(0, 200)}) threw ${String(e)}`).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});
