import { describe, expect, it } from 'vitest';
import { estimateMatchParameters } from './em.js';
import { IdentityGraph } from './graph.js';
import { matchesToObservations, matchRecords, parseMatchModel, safeParseMatchModel, scorePair } from './match.js';
import { jaroWinkler, levenshtein, soundex } from './strings.js';
import { PEOPLE_MODEL, precisionRecall, syntheticPeople } from '../../test/arbitraries/identity.js';

describe('string similarity', () => {
  it('matches the textbook values', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler('DWAYNE', 'DUANE')).toBeCloseTo(0.84, 2);
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.8133, 4);
    // Winkler's boost threshold (strcmp95, rapidfuzz, jellyfish, Commons Text): no prefix bonus at a Jaro similarity
    // of 0.7 or less. Without it this pair scored 0.8 and reached the default `jaroWinkler≥0.8` level.
    expect(jaroWinkler('abcdxxxx', 'abcdyyyy')).toBeCloseTo(2 / 3, 12);
    expect(jaroWinkler('annabel', 'annaston')).toBeCloseTo(0.6904761904761904, 12); // was 0.814
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', '')).toBe(1);
    expect(jaroWinkler('a', '')).toBe(0);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('kitten', 'sitting', 1)).toBe(2);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('flaw', 'lawn')).toBe(2);
    expect(soundex('Robert')).toBe('R163');
    expect(soundex('Rupert')).toBe('R163');
    expect(soundex('Ashcraft')).toBe('A261');
    expect(soundex('Tymczak')).toBe('T522');
    expect(soundex('Pfister')).toBe('P236');
    expect(soundex('')).toBe('');
  });
});

describe('string similarity, called from plain JavaScript', () => {
  it('jaroWinkler refuses scratch that is not { a, b } Uint8Arrays with INPUT_INVALID at scratch (was a TypeError)', () => {
    for (const scratch of ['', null, {}, { a: new Uint8Array(4) }, { a: [], b: [] }]) {
      expect(() => jaroWinkler('abc', 'abd', scratch as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'scratch' }));
    }
    const scratch = { a: new Uint8Array(1), b: new Uint8Array(1) };
    expect(jaroWinkler('MARTHA', 'MARHTA', scratch)).toBe(jaroWinkler('MARTHA', 'MARHTA'));
  });

  it('levenshtein refuses a max that is not a number ≥ 0 with INPUT_INVALID at max (an object was a TypeError)', () => {
    for (const max of [{ constructor: 1, toString: 2, valueOf: 3 }, '3', -1, Number.NaN]) {
      expect(() => levenshtein('abc', '', max as never)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'max' }));
    }
    expect(levenshtein('kitten', 'sitting', 0)).toBe(1);
  });
});

describe('matchRecords, called from plain JavaScript', () => {
  it('refuses a record value that is not a string, a number or null with INPUT_INVALID at its path (an object or a symbol was a TypeError)', () => {
    const model = parseMatchModel({ fields: [{ name: 'name', comparison: { kind: 'jaroWinkler' } }, { name: 'city', comparison: { kind: 'exact' } }], blocking: [['city']] });
    for (const bad of [[Symbol('x')], { toString: () => { throw new Error('boom'); } }, Symbol('y')]) {
      const records = [{ id: 'a', values: { name: 'Ana', city: 'Paris' } }, { id: 'b', values: { name: 'Ana', city: bad } }];
      expect(() => matchRecords(records as never, model)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', path: 'records[1].values.city' }));
    }
  });
});

describe('parseMatchModel', () => {
  it('compiles levels and weights', () => {
    const model = parseMatchModel({
      fields: [{ name: 'name', comparison: { kind: 'jaroWinkler', thresholds: [0.9] }, m: [0.8, 0.15, 0.05], u: [0.01, 0.04, 0.95] }],
      blocking: [['name']],
    });
    expect(model.fields[0]!.labels).toEqual(['exact', 'jaroWinkler≥0.9', 'different']);
    expect(model.fields[0]!.weights[0]).toBeCloseTo(Math.log2(80), 10);
  });
  it('rejects bad models with a path', () => {
    const bad = (input: unknown) => {
      const r = safeParseMatchModel(input);
      return r.ok ? 'ok' : [r.error.code, r.error.path];
    };
    expect(bad({ fields: [], blocking: [['x']] })).toEqual(['IDENTITY_MATCH_MODEL_INVALID', 'fields']);
    expect(bad({ fields: [{ name: 'a', comparison: { kind: 'jaroWinkler', thresholds: [0.8, 0.9] } }], blocking: [['a']] })).toEqual(['IDENTITY_MATCH_MODEL_INVALID', 'fields[0].comparison']);
    expect(bad({ fields: [{ name: 'a', comparison: { kind: 'exact' }, m: [0.9] }], blocking: [['a']] })).toEqual(['IDENTITY_MATCH_MODEL_INVALID', 'fields[0].m']);
    expect(bad({ fields: [{ name: 'a', comparison: { kind: 'exact' } }, { name: 'a', comparison: { kind: 'exact' } }], blocking: [['a']] })).toEqual(['IDENTITY_MATCH_MODEL_INVALID', 'fields[1].name']);
    expect(bad({ fields: [{ name: 'a', comparison: { kind: 'soundex' } }], blocking: [['a']] })).toEqual(['IDENTITY_MATCH_MODEL_INVALID', 'fields[0].comparison.kind']);
  });
});

describe('Fellegi–Sunter matching', () => {
  const model = parseMatchModel({
    fields: [
      { name: 'name', comparison: { kind: 'jaroWinkler' } },
      { name: 'dob', comparison: { kind: 'date', thresholdDays: [2] } },
      { name: 'postcode', comparison: { kind: 'postcodePrefix', lengths: [3] } },
      { name: 'email', comparison: { kind: 'levenshtein', thresholds: [1] } },
    ],
    blocking: [['dob'], [{ field: 'name', transform: 'soundex' }]],
    threshold: 0.5,
  });

  it('explains each field of a pair', () => {
    const s = scorePair(
      { id: 'a', values: { name: 'Jon Smith', dob: '1980-02-01', postcode: '75011', email: 'jon@shop.test' } },
      { id: 'b', values: { name: 'John Smith', dob: '1980-02-02', postcode: '75 012', email: null } },
      model,
    );
    expect(s.fields.map((f) => [f.field, f.level])).toEqual([
      ['name', 'jaroWinkler≥0.92'],
      ['dob', 'within 2 days'],
      ['postcode', 'prefix 3'],
      ['email', 'missing'],
    ]);
    expect(s.fields[3]!.weight).toBe(0);
    const sum = s.fields.reduce((a, f) => a + f.weight, Math.log2(model.lambda / (1 - model.lambda)));
    expect(s.weight).toBeCloseTo(sum, 10);
    expect(s.probability).toBeCloseTo(1 / (1 + 2 ** -s.weight), 12);
  });

  it("gives Splink's match weight and probability on a hand-computed pair", () => {
    // Bayes factor 90 × 150 × 10 = 135,000; prior odds 0.0002 / 0.9998; posterior odds 27.0054…, p = odds / (1 + odds).
    const model = parseMatchModel({
      fields: [
        { name: 'name', comparison: { kind: 'exact' }, m: [0.9, 0.1], u: [0.01, 0.99] },
        { name: 'dob', comparison: { kind: 'date', thresholdDays: [3, 366] }, m: [0.8, 0.15, 0.04, 0.01], u: [0.0001, 0.001, 0.05, 0.9489] },
        { name: 'pc', comparison: { kind: 'postcodePrefix', lengths: [3] }, m: [0.7, 0.2, 0.1], u: [0.001, 0.02, 0.979] },
      ],
      blocking: [['name']],
      lambda: 0.0002,
    });
    const s = scorePair({ id: 'a', values: { name: 'Ada', dob: '1990-02-03', pc: 'SW1A 1AA' } }, { id: 'b', values: { name: 'ada ', dob: '1990-02-05', pc: 'sw1-b2' } }, model);
    expect(s.weight).toBeCloseTo(4.755176070029394, 12);
    expect(s.probability).toBeCloseTo(0.9642926020900149, 12);
  });

  it('reads field values by own key: fields named constructor, toString or __proto__ are missing when absent', () => {
    // Field names are any non-empty strings; a record without the field must not read an inherited member.
    const proto = parseMatchModel({
      fields: [
        { name: 'constructor', comparison: { kind: 'exact' } },
        { name: 'toString', comparison: { kind: 'jaroWinkler' } },
        { name: '__proto__', comparison: { kind: 'date' } },
      ],
      blocking: [['constructor']],
    });
    const s = scorePair({ id: 'a', values: { name: 'x' } }, { id: 'b', values: { name: 'y' } }, proto);
    expect(s.fields.map((f) => [f.field, f.level, f.weight])).toEqual([
      ['constructor', 'missing', 0],
      ['toString', 'missing', 0],
      ['__proto__', 'missing', 0],
    ]);
    const own = (v: string) => ({ id: v, values: JSON.parse('{"constructor":"c1","toString":"ann","__proto__":"1990-01-01"}') as Record<string, string> });
    expect(scorePair(own('1'), own('2'), proto).fields.map((f) => f.level)).toEqual(['exact', 'exact', 'exact']);
    expect(matchRecords([{ id: '1', values: {} }, { id: '2', values: {} }], proto).stats.pairsCompared).toBe(0);
  });

  it('compares only blocked pairs, each once, and skips oversized blocks', () => {
    const records = [
      { id: '1', values: { name: 'ann lee', dob: '1990-01-01' } },
      { id: '2', values: { name: 'ann lee', dob: '1990-01-01' } },
      { id: '3', values: { name: 'bob ray', dob: '1991-01-01' } },
      { id: '4', values: { name: 'zed', dob: null } },
    ];
    const r = matchRecords(records, model);
    expect(r.stats).toEqual({ records: 4, pairsCompared: 1, blocks: 2, oversizedBlocks: 0, skippedPairs: 0 });
    expect(r.matches.map((m) => [m.a, m.b])).toEqual([['1', '2']]);
    const tight = parseMatchModel({ ...model.source, maxBlockSize: 2, blocking: [['dob']] });
    const many = Array.from({ length: 5 }, (_, i) => ({ id: String(i), values: { name: 'x', dob: '2000-01-01' } }));
    expect(matchRecords(many, tight).stats).toMatchObject({ pairsCompared: 0, oversizedBlocks: 1, skippedPairs: 10 });
  });

  it('estimates m/u by EM and finds the generator truth with high precision and recall', () => {
    const { records, personOf } = syntheticPeople(1500, 5);
    const base = parseMatchModel(PEOPLE_MODEL);
    const est = estimateMatchParameters(records, base, { seed: 3 });
    expect(est.converged).toBe(true);
    expect(est.m.lastName![0]).toBeGreaterThan(est.u.lastName![0]!);
    const { matches, stats } = matchRecords(records, est.model);
    expect(stats.pairsCompared).toBeLessThan((records.length * (records.length - 1)) / 2 / 100);
    const pr = precisionRecall(matches, personOf);
    expect(pr.precision).toBeGreaterThan(0.95);
    expect(pr.recall).toBeGreaterThan(0.95);
    // Deterministic for a seed.
    expect(estimateMatchParameters(records, base, { seed: 3 }).m).toEqual(est.m);
  });

  it('feeds matches to the stitching, where merge protection still applies', () => {
    const records = [
      { id: 'crm-1', values: { name: 'ada lovelace', dob: '1815-12-10' } },
      { id: 'pos-7', values: { name: 'ada lovelace', dob: '1815-12-10' } },
    ];
    const { matches } = matchRecords(records, model);
    const obs = matchesToObservations(matches, model, Date.UTC(2026, 0, 1));
    expect(obs).toEqual([{ identifiers: [{ type: 'external_id', value: 'crm-1' }, { type: 'external_id', value: 'pos-7' }], at: Date.UTC(2026, 0, 1), source: 'match' }]);
    const g = new IdentityGraph({ limits: { external_id: 1 } });
    const r = g.add(obs);
    expect(r.refused.map((x) => x.rule)).toEqual(['limit:external_id']);
  });
});

describe('estimateMatchParameters and matchesToObservations with plain JavaScript input', () => {
  const model = parseMatchModel({ fields: [{ name: 'name', comparison: { kind: 'jaroWinkler' } }], blocking: [['name']], threshold: 0.5 });
  const records = [{ id: 'crm-1', values: { name: 'ada' } }, { id: 'pos-2', values: { name: 'ada' } }, { id: 'web-3', values: { name: 'bo' } }];
  const bad = (path: string) => expect.objectContaining({ code: 'INPUT_INVALID', path });

  it('estimateMatchParameters refuses options that are no bounded numbers (a valueOf was called, a huge sample ran for hours)', () => {
    expect(estimateMatchParameters(records, model, { seed: 7, uSamplePairs: 100 }).pairs).toBe(1);
    expect(() => estimateMatchParameters(records, model, { tolerance: { valueOf: () => { throw new Error('boom'); } } } as never)).toThrow(bad('options.tolerance'));
    expect(() => estimateMatchParameters(records, model, { uSamplePairs: [Symbol('s')] } as never)).toThrow(bad('options.uSamplePairs'));
    expect(() => estimateMatchParameters(records, model, { uSamplePairs: 1e308 })).toThrow(bad('options.uSamplePairs'));
    expect(() => estimateMatchParameters(records, model, { maxIterations: 2 ** 53 })).toThrow(bad('options.maxIterations'));
    expect(() => estimateMatchParameters(records, model, { seed: null } as never)).toThrow(bad('options.seed'));
  });

  it('matchesToObservations names a match whose record id is no string (was an error at the observation made of it)', () => {
    const match = { a: 'crm-1', b: 'pos-2', weight: 3, probability: 0.9, fields: [] };
    expect(matchesToObservations([match], model, 0)).toHaveLength(1);
    expect(() => new IdentityGraph().add(matchesToObservations([{ ...match, b: null } as never], model, 0))).toThrow(bad('matches[0].b'));
  });
});

describe('values as matching reads them', () => {
  const model = parseMatchModel({ fields: [{ name: 'name', comparison: { kind: 'jaroWinkler' } }, { name: 'dob', comparison: { kind: 'date', thresholdDays: [1] } }], blocking: [['name']] });
  const levels = (a: Record<string, string | number | null>, b: Record<string, string | number | null>) => scorePair({ id: 'a', values: a }, { id: 'b', values: b }, model).fields.map((f) => f.level);

  it('a name composed or decomposed is the same name (NFC; was "different")', () => {
    expect(levels({ name: 'Zoë Åberg' }, { name: 'Zoe\u0308 A\u030Aberg' })).toEqual(['exact', 'missing']);
  });

  it('dates are ISO 8601 as core reads them; other text, and impossible days, are missing (were read by Date.parse)', () => {
    // 30 February was rolled over to 2 March, and an exact match.
    expect(levels({ dob: '1990-02-30' }, { dob: '1990-03-02' })).toEqual(['missing', 'missing']);
    // Read in the host's time zone: a day earlier in Tokyo than in London.
    expect(levels({ dob: '1990-2-3' }, { dob: '1990-02-03' })[1]).toBe('missing');
    expect(levels({ dob: '1990-02-03T10:00' }, { dob: '1990-02-03' })[1]).toBe('missing');
    expect(levels({ dob: '03/02/1990' }, { dob: '1990-02-03' })[1]).toBe('missing');
    expect(levels({ dob: ' 1990-02-03 ' }, { dob: Date.UTC(1990, 1, 3, 12) })[1]).toBe('exact');
    expect(levels({ dob: '1990-02-03T23:30:00-05:00' }, { dob: '1990-02-04' })[1]).toBe('exact');
    expect(levels({ dob: '1990-02-03T12:00:00Z' }, { dob: '1990-02-04' })[1]).toBe('within 1 days');
  });
});
