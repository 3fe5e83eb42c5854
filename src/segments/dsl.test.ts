import { describe, expect, it } from 'vitest';
import { SEGMENT_LIMITS, compileSegment, compileSegments, parseSegmentRule, parseSegments, referencedSegments, safeCompileSegments, segmentsJsonSchema } from './index.js';

const errorOf = (fn: () => unknown): { code: string; path: string | undefined; message: string; detail?: Record<string, unknown> } => {
  try {
    fn();
  } catch (e) {
    return e as { code: string; path: string | undefined; message: string };
  }
  throw new Error('expected an error');
};

describe('parsing: every error names the bad node', () => {
  it.each([
    [[{ id: 'x', rule: { attr: '__proto__', op: 'exists' } }], 'SEGMENT_RULE_INVALID', '[0].rule.attr'],
    [[{ id: 'x', rule: { attr: 'a.constructor.b', op: 'exists' } }], 'SEGMENT_RULE_INVALID', '[0].rule.attr'],
    [[{ id: 'x', rule: { and: [{ attr: 'a', op: 'exists' }, { attr: 'prototype', op: 'exists' }] } }], 'SEGMENT_RULE_INVALID', '[0].rule.and[1].attr'],
    [[{ id: 'x', rule: { attr: 'a..b', op: 'exists' } }], 'SEGMENT_RULE_INVALID', '[0].rule.attr'],
    [[{ id: 'x', rule: { or: [{ attr: 'a', op: 'like', value: 1 }] } }], 'SEGMENT_RULE_INVALID', '[0].rule.or[0].op'],
    [[{ id: 'x', rule: { not: { attr: 'a', op: 'in', value: 'x' } } }], 'SEGMENT_RULE_INVALID', '[0].rule.not.value'],
    [[{ id: 'x', rule: { attr: 'a', op: 'between', value: [5, 1] } }], 'SEGMENT_RULE_INVALID', '[0].rule.value'],
    [[{ id: 'x', rule: { attr: 'a', op: 'between', value: [1, 'z'] } }], 'SEGMENT_RULE_INVALID', '[0].rule.value'],
    [[{ id: 'x', rule: { count: { type: 'buy' }, window: { last: '7 days' }, op: 'gte', value: 1 } }], 'SEGMENT_RULE_INVALID', '[0].rule.window.last'],
    [[{ id: 'x', rule: { count: { type: 'buy', where: [{ prop: '__proto__', op: 'exists' }] }, op: 'gte', value: 1 } }], 'SEGMENT_RULE_INVALID', '[0].rule.count.where[0].prop'],
    [[{ id: 'x', rule: { attr: 'a', op: 'matches', value: { regex: '(a+)\\1' } } }], 'SEGMENT_PATTERN_UNSAFE', '[0].rule.value'],
    [[{ id: 'x', rule: { attr: 'a', op: 'eq', value: 1, segment: 'y' } }], 'SEGMENT_RULE_INVALID', '[0].rule'],
    [[{ id: 'x', rule: { bogus: 1 } }], 'SEGMENT_RULE_INVALID', '[0].rule'],
    [[{ id: 'x', rule: { attr: 'a', op: 'eq', value: 1, extra: true } }], 'SEGMENT_RULE_INVALID', '[0].rule.extra'],
    [[{ id: 'x', timeZone: 'Mars/Olympus', rule: { attr: 'a', op: 'exists' } }], 'SEGMENT_RULE_INVALID', '[0].timeZone'],
    [[{ id: 'x', rule: { segment: 'nope' } }], 'SEGMENT_REFERENCE_UNKNOWN', '[0].rule.segment'],
    [[{ id: 'x', rule: { attr: 'a', op: 'exists' } }, { id: 'x', rule: { attr: 'a', op: 'exists' } }], 'SEGMENT_DUPLICATE_ID', '[1].id'],
    [[{ id: 'x' }], 'SEGMENT_RULE_INVALID', '[0].rule'],
  ])('%j → %s at %s', (input, code, path) => {
    const e = errorOf(() => compileSegments(input));
    expect(e.code).toBe(code);
    expect(e.path).toBe(path);
  });

  // A window's form is chosen by its key: as a plain union, the all-optional { from?, to? } form answered every
  // failure ("Unrecognized key: last" for a bad duration, window.calendar for a bad weekStartsOn).
  it.each([
    [{ last: '7 days' }, '[0].rule.window.last', /duration/i],
    [{ calendar: 'week', weekStartsOn: 9 }, '[0].rule.window.weekStartsOn', /invalid input/i],
    [{ calendar: 'week', offset: 1 }, '[0].rule.window.offset', /<=0/],
    [{ calendar: 'year' }, '[0].rule.window.calendar', /"day"\|"week"\|"month"/],
    [{ since: { type: 'a' }, ifNone: 'never' }, '[0].rule.window.ifNone', /"all"\|"none"/],
    [{ since: { type: 'a', bogus: 1 } }, '[0].rule.window.since.bogus', /unrecognized key/i],
    [{ from: 'yesterday' }, '[0].rule.window.from', /ISO 8601/],
    [{ last: '7d', calendar: 'day' }, '[0].rule.window.calendar', /unrecognized key/i],
    [[], '[0].rule.window', /expected object/],
  ])('window %j → SEGMENT_RULE_INVALID at %s', (window, path, message) => {
    const e = errorOf(() => compileSegments([{ id: 'x', rule: { count: { type: 'buy' }, window, op: 'gte', value: 1 } }]));
    expect([e.code, e.path]).toEqual(['SEGMENT_RULE_INVALID', path]);
    expect(e.message).toMatch(message);
  });

  it('rejects a non-array and non-object nodes', () => {
    expect(errorOf(() => parseSegments({} as never)).code).toBe('SEGMENT_RULE_INVALID');
    expect(errorOf(() => parseSegmentRule([1])).code).toBe('SEGMENT_RULE_INVALID');
    expect(errorOf(() => parseSegmentRule(null)).code).toBe('SEGMENT_RULE_INVALID');
  });

  it('detects reference cycles at parse time, naming the cycle', () => {
    const e = errorOf(() =>
      parseSegments([
        { id: 'a', rule: { segment: 'b' } },
        { id: 'b', rule: { and: [{ attr: 'x', op: 'exists' }, { segment: 'c' }] } },
        { id: 'c', rule: { not: { segment: 'a' } } },
      ]),
    );
    expect(e.code).toBe('SEGMENT_REFERENCE_CYCLE');
    expect(e.detail?.cycle).toEqual(['a', 'b', 'c', 'a']);
    expect(errorOf(() => parseSegments([{ id: 'self', rule: { segment: 'self' } }])).code).toBe('SEGMENT_REFERENCE_CYCLE');
  });

  it('limits depth and size', () => {
    let deep: unknown = { attr: 'a', op: 'exists' };
    for (let i = 0; i < SEGMENT_LIMITS.maxDepth; i++) deep = { not: deep };
    const e = errorOf(() => parseSegmentRule(deep));
    expect(e.code).toBe('SEGMENT_RULE_TOO_LARGE');
    expect(e.path).toBe(`not${'.not'.repeat(SEGMENT_LIMITS.maxDepth - 1)}`);
    const wide = { or: Array.from({ length: 250 }, () => ({ and: Array.from({ length: 10 }, () => ({ attr: 'a', op: 'exists' })) })) };
    expect(errorOf(() => parseSegmentRule(wide)).code).toBe('SEGMENT_RULE_TOO_LARGE');
    // just inside the limits is fine
    let ok: unknown = { attr: 'a', op: 'exists' };
    for (let i = 0; i < SEGMENT_LIMITS.maxDepth - 1; i++) ok = { not: ok };
    expect(() => parseSegmentRule(ok)).not.toThrow();
  });

  it('safe variant returns the error as data', () => {
    const r = safeCompileSegments([{ id: 'x', rule: { attr: 'constructor', op: 'exists' } }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.path).toBe('[0].rule.attr');
    expect(safeCompileSegments([{ id: 'x', rule: { attr: 'a', op: 'exists' } }]).ok).toBe(true);
  });

  it('normalises durations and instants to ms', () => {
    expect(parseSegmentRule({ count: { type: 'x' }, window: { last: '7d' }, op: 'gte', value: 1 })).toEqual({ count: { type: 'x' }, window: { last: 604_800_000 }, op: 'gte', value: 1 });
    expect(parseSegmentRule({ time: 't', window: { from: '2026-01-01T00:00:00Z' } })).toEqual({ time: 't', window: { from: Date.UTC(2026, 0, 1) } });
    expect(parseSegmentRule({ age: 't', op: 'between', value: ['1d', { days: 2 }] })).toEqual({ age: 't', op: 'between', value: [86_400_000, 172_800_000] });
  });

  it('compileSegment resolves references against a compiled set and rejects unknown ones', () => {
    const set = compileSegments([{ id: 'fr', rule: { attr: 'country', op: 'eq', value: 'FR' } }]);
    const p = compileSegment({ and: [{ segment: 'fr' }, { attr: 'vip', op: 'eq', value: true }] }, { segments: set });
    expect(p({ country: 'FR', vip: true }, [], 0)).toBe(true);
    expect(p({ country: 'DE', vip: true }, [], 0)).toBe(false);
    expect(errorOf(() => compileSegment({ segment: 'fr' })).code).toBe('SEGMENT_REFERENCE_UNKNOWN');
    expect(errorOf(() => compileSegment({ attr: 'a', op: 'exists' }, { timeZone: 'Nope/Nope' })).code).toBe('TIMEZONE_INVALID');
    expect(errorOf(() => set.matches('nope', {}, [], 0)).code).toBe('SEGMENT_NOT_FOUND');
  });
});

describe('JSON Schema export', () => {
  it('describes the definition list, the recursive rule and every node kind', () => {
    const schema = segmentsJsonSchema();
    expect(schema.type).toBe('array');
    const text = JSON.stringify(schema);
    for (const key of ['and', 'or', 'not', 'attr', 'age', 'anniversary', 'time', 'segment', 'count', 'aggregate', 'occurrence', 'did', 'notSince', 'matches', 'glob', 'regex']) {
      expect(text).toContain(`"${key}"`);
    }
    expect(text).toContain('$ref');
  });
});

describe('parseSegmentRule', () => {
  it('prefixes error paths with basePath, and refuses a basePath that is not a list with INPUT_INVALID (was a TypeError)', () => {
    expect(() => parseSegmentRule({ attr: 'x', op: 'nope', value: 1 }, ['segments', 2, 'rule'])).toThrow(expect.objectContaining({ path: expect.stringMatching(/^segments\[2\]\.rule/) }));
    for (const basePath of [true, 'rule', { 0: 'a' }, null]) {
      expect(() => parseSegmentRule({ attr: 'x', op: 'eq', value: 1 }, basePath as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'basePath' }));
    }
  });
});

describe('referencedSegments', () => {
  it('lists the segments a rule refers to, and refuses a malformed rule with INPUT_INVALID at its path (was a TypeError)', () => {
    expect(referencedSegments(parseSegmentRule({ and: [{ segment: 'a' }, { not: { or: [{ segment: 'b' }, { attr: 'x', op: 'eq', value: 1 }] } }] }))).toEqual(['a', 'b']);
    const cases: Array<[unknown, string]> = [
      [{ or: 'x' }, 'rule.or'],
      [{ and: [{ segment: 'a' }, null] }, 'rule.and[1]'],
      [{ not: { segment: 7 } }, 'rule.not.segment'],
      [null, 'rule'],
    ];
    for (const [rule, path] of cases) expect(() => referencedSegments(rule as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path }));
  });
});
