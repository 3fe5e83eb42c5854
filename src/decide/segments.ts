/** The segments stage: only the segments the catalogue refers to. */
import type { DecideConfig } from './config.js';
import type { LoadedState } from './load.js';
import type { DecideRequest } from './request.js';

/** Evaluates only the segments the catalogue refers to; returns the ids the person is in, sorted. */
export function evaluateNeededSegments(config: DecideConfig, state: LoadedState, req: DecideRequest): string[] {
  const segments = config.segments;
  if (!segments || config.neededSegments.length === 0) return [];
  const profile = req.context ? { ...state.profile, ...req.context } : state.profile;
  if (config.neededSegments.length === segments.ids.length) {
    // Every segment is needed (the needed ids are a subset of the set's): one pass shares the event-order check
    // and the memo of referenced segments. Sorted like neededSegments.
    const got = segments.evaluate(profile, state.history.events, req.now);
    // Insertion sort in place (a handful of ids; Array#sort would allocate its work space on every decision).
    for (let i = 1; i < got.length; i++) {
      const x = got[i]!;
      let j = i - 1;
      for (; j >= 0 && got[j]! > x; j--) got[j + 1] = got[j]!;
      got[j + 1] = x;
    }
    return got;
  }
  const out: string[] = [];
  for (const id of config.neededSegments) if (segments.matches(id, profile, state.history.events, req.now)) out.push(id);
  return out;
}
