/**
 * zod/mini ships no messages ("Invalid input" for everything) unless a locale is configured, and importing the
 * classic `zod` configures English globally — which would hide a parse that forgot the package's English
 * context. So this file imports no classic zod, anywhere in its module graph.
 */
import { describe, expect, it } from 'vitest';
import { isCrossChannelError } from './errors.js';
import { parseEventBatch } from '../segments/store.js';
import { parseDecideRequest } from '../decide/request.js';
import { parseCapRules } from '../capping/rules.js';
import { parseCatalogue } from '../arbitration/offers.js';
import { parseSegments } from '../segments/dsl.js';
import { parseIdentityRules } from '../identity/rules.js';

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("zod's issues are worded in English by every parser, with no zod locale configured", () => {
  it('type, size, format and unknown-key issues of configs, requests and event batches', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => parseEventBatch([{ subjectId: 5, type: 'x', at: 0 } as never]), /expected string, received number at \[0\]\.subjectId/],
      [() => parseCapRules({ rules: [{ id: 'r', kind: 'limit', limit: 'many', window: 'day' }] } as never), /expected number/],
      [() => parseDecideRequest({ identifiers: [], channel: 'web', now: 0 } as never), /Too small: expected array to have >=?1 items? at identifiers/],
      [() => parseCatalogue({ offers: [{ id: 'o', value: 1, colour: 'red' }] } as never), /Unrecognized key/],
      [() => parseSegments([{ id: 5, rule: { attr: 'a', op: 'exists' } }] as never), /expected string, received number/],
      [() => parseIdentityRules({ limits: { user_id: -1 } } as never), /Too small/],
    ];
    for (const [f, message] of cases) {
      const e = errorOf(f);
      expect(isCrossChannelError(e)).toBe(true);
      expect((e as Error).message).toMatch(message);
      expect((e as Error).message).not.toMatch(/^Invalid input( at |$)/);
    }
  });
});
