/**
 * The mutation fuzz's shared runner (test/package/fuzz-mutations*.test.ts): each case is a real, valid input of a
 * public function and a call; its mutants change one place (see `mutantsOf`). Every case checks that its valid input
 * passes (else every mutant fails at the same first check, testing nothing), that no mutant throws anything but a
 * `CrossChannelError`, and that each error names the place changed — its path (after `at`, where the input sits in
 * error paths; `null` skips this check) is that place, or above or below it.
 */
import { describe, expect, it } from 'vitest';
import { CrossChannelError } from '../../src/core/errors.js';
import { firstCrash, mutantsOf } from './junk.js';

/** Mutants per case (FUZZ_MUTATION_RUNS widens a hunt) and their seed (FUZZ_MUTATION_SEED). */
export const RUNS = Number(process.env.FUZZ_MUTATION_RUNS ?? 150);
export const SEED = Number(process.env.FUZZ_MUTATION_SEED ?? 20261205);

/** A value as it comes back from JSON (a serialised state or report, as a caller would store and reload it). */
export const json = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** One input to mutate: `call` runs the function on a mutant; `at` is the input's path prefix in errors, or null. */
export interface MutationCase {
  readonly name: string;
  readonly valid: unknown;
  readonly call: (mutant: unknown) => unknown;
  readonly at: ReadonlyArray<string | number> | null;
}

/**
 * Errors about a reference (a step or a contact that a changed id no longer matches, a step no longer reachable, a
 * record of another subject than the history's, a list whose length must match another's) are reported where the
 * reference is, and are not counted as misplaced.
 */
const REFERENCE_ERRORS = /refer|names no|unknown (start )?step|unreachable|of another subject|one (entry|count) per|must hold|^No (metric|variant) /i;

/** The mutants whose error names a place unrelated to the one changed (`references`: more messages to exempt). */
export async function misplaced(c: MutationCase, mutants: ReturnType<typeof mutantsOf>, references?: RegExp): Promise<string[]> {
  const out: string[] = [];
  for (const m of mutants) {
    try {
      await c.call(m.value);
    } catch (e) {
      if (!(e instanceof CrossChannelError) || c.at === null || REFERENCE_ERRORS.test(e.message) || references?.test(e.message)) continue;
      const expected = [...c.at, ...m.path].map(String);
      const got = e.pathSegments.map(String);
      const n = Math.min(expected.length, got.length);
      if (got.slice(0, n).join('\u0000') !== expected.slice(0, n).join('\u0000')) out.push(`${m.label}: ${e.code} at ${e.path ?? '(no path)'} — ${e.message.slice(0, 80)}`);
    }
  }
  return out;
}

/** Registers one test per case under `title`, with `runs` mutants from `seed`. */
export function describeMutationCases(title: string, cases: ReadonlyArray<MutationCase>, options: { runs: number; seed: number; references?: RegExp }): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.name, async () => {
        await expect(Promise.resolve().then(() => c.call(c.valid))).resolves.not.toThrow();
        const mutants = mutantsOf(c.valid, options.runs, options.seed);
        expect(await firstCrash(([m]) => c.call(m), mutants.map((m) => [m.value]))).toBeNull();
        const wrong = await misplaced(c, mutants, options.references);
        expect(wrong.slice(0, 4), `${wrong.length} mutants`).toEqual([]);
      });
    }
  });
}
