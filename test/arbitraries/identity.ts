/**
 * Arbitraries and generators for identity: observations over a small identifier universe (so that components
 * merge, collide with limits and expire), and synthetic person records with typos for probabilistic matching.
 */
import fc from 'fast-check';
import { createRng, type Rng } from '../../src/core/random.js';
import type { ObservationInput } from '../../src/identity/graph.js';
import type { MatchRecord } from '../../src/identity/match.js';

const DAY = 86_400_000;
export const T0 = Date.UTC(2026, 0, 1);

/** An identifier from a small universe of each type, so that random observations overlap. */
export const identifierArb = fc.oneof(
  fc.integer({ min: 0, max: 5 }).map((i) => ({ type: 'user_id', value: `u${i}` })),
  fc.integer({ min: 0, max: 7 }).map((i) => ({ type: 'email', value: `p${i}@shop.test` })),
  fc.integer({ min: 0, max: 9 }).map((i) => ({ type: 'anonymous_id', value: `a${i}` })),
  fc.integer({ min: 0, max: 5 }).map((i) => ({ type: 'loyalty_id', value: `L${i}` })),
  fc.integer({ min: 0, max: 3 }).map((i) => ({ type: 'device_id', value: `d${i}` })),
  fc.constantFrom({ type: 'email', value: 'test@test.com' }, { type: 'user_id', value: 'null' }, { type: 'crm_id', value: 'c1' }),
);

/** An observation: 1–4 identifiers seen together within 120 days of {@link T0}. */
export const observationArb: fc.Arbitrary<ObservationInput> = fc.record({
  identifiers: fc.array(identifierArb, { minLength: 1, maxLength: 4 }),
  at: fc.integer({ min: 0, max: 120 }).map((d) => T0 + d * DAY),
  source: fc.constantFrom('web', 'app', 'pos', 'crm'),
});

/** Rules that make merge protection fire often: tight limits, a small max size and an anonymous-id TTL. */
export const tightRulesArb = fc.record({
  limits: fc.record({ user_id: fc.constant(1), email: fc.integer({ min: 1, max: 2 }), loyalty_id: fc.constant(1) }),
  maxIdentifiers: fc.integer({ min: 3, max: 8 }),
  ttl: fc.constantFrom({}, { anonymous_id: '30d' }, { anonymous_id: '10d', device_id: '60d' }),
});

const FIRST = ['james', 'mary', 'robert', 'patricia', 'john', 'jennifer', 'michael', 'linda', 'david', 'elizabeth', 'william', 'barbara', 'richard', 'susan', 'joseph', 'jessica', 'thomas', 'sarah', 'charles', 'karen', 'christopher', 'lisa', 'daniel', 'nancy', 'matthew', 'betty', 'anthony', 'margaret', 'mark', 'sandra', 'donald', 'ashley', 'steven', 'kimberly', 'paul', 'emily', 'andrew', 'donna', 'joshua', 'michelle', 'kenneth', 'carol', 'kevin', 'amanda', 'brian', 'dorothy', 'george', 'melissa', 'timothy', 'deborah'];
const LAST = ['smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez', 'hernandez', 'lopez', 'gonzalez', 'wilson', 'anderson', 'thomas', 'taylor', 'moore', 'jackson', 'martin', 'lee', 'perez', 'thompson', 'white', 'harris', 'sanchez', 'clark', 'ramirez', 'lewis', 'robinson', 'walker', 'young', 'allen', 'king', 'wright', 'scott', 'torres', 'nguyen', 'hill', 'flores', 'green', 'adams', 'nelson', 'baker', 'hall', 'rivera', 'campbell', 'mitchell', 'carter', 'roberts'];

function typo(rng: Rng, s: string): string {
  if (s.length < 2) return s;
  const i = rng.int(s.length);
  switch (rng.int(4)) {
    case 0:
      return s.slice(0, i) + s.slice(i + 1); // deletion
    case 1:
      return s.slice(0, i) + String.fromCharCode(97 + rng.int(26)) + s.slice(i + 1); // substitution
    case 2:
      return s.slice(0, i) + String.fromCharCode(97 + rng.int(26)) + s.slice(i); // insertion
    default:
      return i + 1 < s.length ? s.slice(0, i) + s[i + 1]! + s[i]! + s.slice(i + 2) : s; // transposition
  }
}

/**
 * `people` synthetic persons, each appearing in 1–3 records (CRM, shop, call centre) with typos in names, an
 * occasional wrong day of birth, missing emails and reformatted postcodes. Returns the records and the truth
 * (record id → person).
 */
export function syntheticPeople(people: number, seed = 1): { records: MatchRecord[]; personOf: Map<string, number> } {
  const rng = createRng(seed);
  const records: MatchRecord[] = [];
  const personOf = new Map<string, number>();
  for (let p = 0; p < people; p++) {
    const first = FIRST[rng.int(FIRST.length)]!;
    const last = rng.next() < 0.7 ? LAST[rng.int(LAST.length)]! : `${LAST[rng.int(LAST.length)]!}${LAST[rng.int(LAST.length)]!.slice(0, 3)}`;
    const dob = T0 - (18 * 365 + rng.int(60 * 365)) * DAY;
    const postcode = `${10 + rng.int(90)}${rng.int(10)}${rng.int(10)}${rng.int(10)}`;
    const email = `${first}.${last}${rng.int(100)}@mail.test`;
    const copies = 1 + rng.int(3);
    for (let c = 0; c < copies; c++) {
      const id = `r${records.length}`;
      personOf.set(id, p);
      const noisy = c > 0;
      records.push({
        id,
        values: {
          firstName: noisy && rng.next() < 0.3 ? typo(rng, first) : first,
          lastName: noisy && rng.next() < 0.3 ? typo(rng, last) : last,
          dob: new Date(noisy && rng.next() < 0.05 ? dob + (1 + rng.int(3)) * DAY : dob).toISOString().slice(0, 10),
          postcode: noisy && rng.next() < 0.1 ? `${postcode.slice(0, 3)} ${postcode.slice(3)}` : postcode,
          email: noisy && rng.next() < 0.4 ? null : noisy && rng.next() < 0.1 ? typo(rng, email) : email,
        },
      });
    }
  }
  return { records, personOf };
}

/** The match model used by tests and the benchmark on {@link syntheticPeople}. */
export const PEOPLE_MODEL = {
  fields: [
    { name: 'firstName', comparison: { kind: 'jaroWinkler' as const, thresholds: [0.92, 0.8] } },
    { name: 'lastName', comparison: { kind: 'jaroWinkler' as const, thresholds: [0.92, 0.8] } },
    { name: 'dob', comparison: { kind: 'date' as const, thresholdDays: [3, 366] } },
    { name: 'postcode', comparison: { kind: 'postcodePrefix' as const, lengths: [3, 2] } },
    { name: 'email', comparison: { kind: 'levenshtein' as const, thresholds: [1, 2] } },
  ],
  blocking: [['dob'], [{ field: 'lastName', transform: 'soundex' as const }, 'postcode'], ['email']],
  threshold: 0.9,
};

/** Precision and recall of predicted pairs against the generator's truth. */
export function precisionRecall(pairs: ReadonlyArray<{ a: string; b: string }>, personOf: Map<string, number>): { precision: number; recall: number; truePairs: number } {
  let tp = 0;
  for (const p of pairs) if (personOf.get(p.a) === personOf.get(p.b)) tp++;
  const sizes = new Map<number, number>();
  for (const person of personOf.values()) sizes.set(person, (sizes.get(person) ?? 0) + 1);
  let truePairs = 0;
  for (const s of sizes.values()) truePairs += (s * (s - 1)) / 2;
  return { precision: pairs.length === 0 ? 1 : tp / pairs.length, recall: truePairs === 0 ? 1 : tp / truePairs, truePairs };
}
