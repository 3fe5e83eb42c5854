import { describe, expect, it } from 'vitest';
import { createRng } from '../core/random.js';
import { compileSegment } from '../segments/compile.js';
import { findPersonas, type PersonaInput } from './personas.js';

function population(seed: number): PersonaInput[] {
  const rng = createRng(seed);
  const kinds = [
    { orders: 12, revenue: 900, channel: 'email', n: 60 },
    { orders: 2, revenue: 60, channel: 'social', n: 100 },
    { orders: 5, revenue: 250, channel: 'store', n: 40 },
  ];
  return kinds.flatMap((k, g) =>
    Array.from({ length: k.n }, (_, i) => ({
      subjectId: `g${g}-${i}`,
      features: { orders: Math.max(0, Math.round(k.orders + rng.normal())), revenue: k.revenue * (1 + 0.1 * rng.normal()), channel: rng.next() < 0.85 ? k.channel : 'web' },
    })),
  );
}

describe('personas', () => {
  it('recovers well-separated groups, describes them in words and exports matching segment rules', () => {
    const people = population(3);
    const personas = findPersonas(people, { k: 3, seed: 11, attributePrefix: 'features.' });
    expect(personas.map((p) => p.size)).toEqual([100, 60, 40]);
    for (const p of personas) expect(new Set(p.members.map((m) => m.slice(0, 2))).size).toBe(1);
    const big = personas.find((p) => p.members[0]!.startsWith('g0'))!;
    expect(big.description).toMatch(/much higher (orders|revenue)/);
    expect(big.centre.channel).toBe('email');
    const rule = compileSegment(big.rule);
    const selected = people.filter((p) => rule(p as unknown as Record<string, unknown>, [], 0)).map((p) => p.subjectId);
    const members = new Set(big.members);
    const hits = selected.filter((s) => members.has(s)).length;
    expect(hits / selected.length).toBeCloseTo(big.rulePrecision, 10);
    expect(hits / members.size).toBeCloseTo(big.ruleRecall, 10);
    expect(big.rulePrecision).toBeGreaterThan(0.95);
    expect(big.ruleRecall).toBeGreaterThan(0.7);
  });

  it('is deterministic for a seed', () => {
    const people = population(4);
    expect(findPersonas(people, { k: 4, seed: 2 })).toEqual(findPersonas(people, { k: 4, seed: 2 }));
  });

  it('rejects bad features with a path', () => {
    expect(() => findPersonas([{ subjectId: 'a', features: { x: 1 } }, { subjectId: 'b', features: { x: 'no' } }] as never, { k: 2 })).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID', path: '[1].features.x' }),
    );
    expect(() => findPersonas([], { k: 2 })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => findPersonas([{ subjectId: 'a', features: { x: 1 } }], { k: 0 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: 'k' }));
  });

  it('keeps features named __proto__ and constructor as keys of the centre', () => {
    // Feature names come from the people's own keys (JSON.parse makes an own `__proto__`); with a prefix they
    // are valid attribute paths (`f___proto__`), so they must survive as keys, in the usual order.
    const people = JSON.parse(
      '[{"subjectId":"a","features":{"__proto__":1,"constructor":"email","x":2}},{"subjectId":"b","features":{"__proto__":3,"constructor":"email","x":4}}]',
    ) as PersonaInput[];
    const [p] = findPersonas(people, { k: 1, seed: 1, attributePrefix: 'f_' });
    expect(Object.getPrototypeOf(p!.centre)).toBe(Object.prototype);
    expect(Object.keys(p!.centre)).toEqual(['__proto__', 'x', 'constructor']);
    expect(JSON.stringify(p!.centre)).toBe('{"__proto__":2,"x":3,"constructor":"email"}');
  });
});
