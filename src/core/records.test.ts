import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHistory, lowerBoundAt, parseBehaviourEvent, parseContactRecord, parseResponseRecord, sortByAt } from './records.js';
import { channelSchema, durationSchema, idSchema, timeZoneSchema, timestampSchema, toJSONSchema } from './schema.js';
import { CrossChannelError } from './errors.js';

describe('records', () => {
  it('parses contacts with defaults and ms timestamps', () => {
    const c = parseContactRecord({ id: 'c1', subjectId: 'p1', channel: 'email', at: '2026-01-05T09:00:00Z' });
    expect(c).toEqual({ id: 'c1', subjectId: 'p1', channel: 'email', at: Date.parse('2026-01-05T09:00:00Z'), tags: [], transactional: false });
  });

  it('reports the path of the bad field', () => {
    try {
      parseContactRecord({ id: 'c1', subjectId: 'p1', channel: 'E-Mail', at: 0 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CrossChannelError);
      expect((e as CrossChannelError).code).toBe('INPUT_INVALID');
      expect((e as CrossChannelError).path).toBe('channel');
    }
    // @ts-expect-error a response kind that does not exist: a type error in TypeScript, RECORD_INVALID at run time
    expect(() => parseResponseRecord({ id: 'r', subjectId: 'p', kind: 'liked', channel: 'web', at: 0 })).toThrow(
      expect.objectContaining({ path: 'kind' }),
    );
    expect(() => parseBehaviourEvent({ subjectId: 'p', type: 'x', at: 'yesterday' })).toThrow(expect.objectContaining({ path: 'at' }));
    // @ts-expect-error an unknown key
    expect(() => parseContactRecord({ id: 'c1', subjectId: 'p1', channel: 'sms', at: 0, extra: 1 })).toThrow(CrossChannelError);
  });

  it('histories are per subject and sorted (stable)', () => {
    const a = parseContactRecord({ id: 'a', subjectId: 'p', channel: 'sms', at: 5 });
    const b = parseContactRecord({ id: 'b', subjectId: 'p', channel: 'sms', at: 1 });
    const c = parseContactRecord({ id: 'c', subjectId: 'p', channel: 'sms', at: 5 });
    const h = createHistory('p', { contacts: [a, b, c] });
    expect(h.contacts.map((x) => x.id)).toEqual(['b', 'a', 'c']);
    const other = parseContactRecord({ id: 'z', subjectId: 'q', channel: 'sms', at: 1 });
    expect(() => createHistory('p', { contacts: [a, other] })).toThrow(expect.objectContaining({ path: 'contacts[1].subjectId' }));
  });

  it('lowerBoundAt agrees with a linear scan', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100 })), fc.integer({ min: -5, max: 105 }), (xs, t) => {
        const recs = sortByAt(xs.map((at) => ({ at })));
        const expected = recs.findIndex((r) => r.at >= t);
        return lowerBoundAt(recs, t) === (expected === -1 ? recs.length : expected);
      }),
    );
  });

  it('lowerBoundAt refuses a record whose at is a symbol or an object with INPUT_INVALID at its path (the comparison threw a TypeError)', () => {
    for (const at of [Symbol('t'), [Symbol('t')], { valueOf: () => { throw new Error('boom'); } }]) {
      expect(() => lowerBoundAt([{ at } as never], 5)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'records[0].at' }));
    }
  });
});

describe('shared schemas', () => {
  it('validate ids, channels, zones, timestamps and durations', () => {
    expect(idSchema.safeParse('').success).toBe(false);
    expect(idSchema.safeParse('a\u0000b').success).toBe(false);
    expect(channelSchema.safeParse('call_center').success).toBe(true);
    expect(channelSchema.safeParse('Call Center').success).toBe(false);
    expect(timeZoneSchema.safeParse('Europe/Paris').success).toBe(true);
    expect(timeZoneSchema.safeParse('Europe/Pariss').success).toBe(false);
    expect(timestampSchema.parse('1970-01-01T00:00:01Z')).toBe(1000);
    expect(timestampSchema.safeParse('soon').success).toBe(false);
    expect(durationSchema.parse({ days: 1 })).toBe(86_400_000);
    expect(durationSchema.safeParse('forever').success).toBe(false);
  });

  it('ids are well-formed text: a lone surrogate (which PostgreSQL and Redis read as U+FFFD, making two ids one) or a C1 control is refused, a pair is one character', () => {
    expect(idSchema.safeParse('\ud800').success).toBe(false);
    expect(idSchema.safeParse('a\udbffb').success).toBe(false);
    expect(idSchema.safeParse('\udc00\ud83d').success).toBe(false);
    expect(idSchema.safeParse('a\u0085').success).toBe(false);
    expect(idSchema.safeParse('a\u007f').success).toBe(false);
    expect(idSchema.parse('😀-é\u00a0x')).toBe('😀-é\u00a0x');
    const oracle = (s: string): boolean => s.length > 0 && s.length <= 256 && (s as unknown as { isWellFormed(): boolean }).isWellFormed() && ![...s].some((c) => { const u = c.codePointAt(0)!; return u < 0x20 || (u >= 0x7f && u <= 0x9f); });
    fc.assert(fc.property(fc.string({ unit: fc.oneof(fc.constantFrom('\ud800', '\udfff', '\u0085', '\u001f', 'a'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 12 }), (s) => idSchema.safeParse(s).success === oracle(s)), { numRuns: 2000 });
  });

  it('exports JSON Schema of config schemas', () => {
    const js = toJSONSchema(channelSchema);
    expect(js).toMatchObject({ type: 'string', maxLength: 64 });
  });
});
