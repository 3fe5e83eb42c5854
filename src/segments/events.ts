import { inputError } from '../core/errors.js';
import { sortByAt, type BehaviourEvent } from '../core/records.js';

/**
 * The events in time order, checked in one linear pass: rules read windows and sequences by binary search and
 * by position, so an unsorted array gave silently wrong answers. Sorted input (what stores and `createHistory`
 * return) is returned as is; unsorted input is sorted into a copy (stable: equal times keep their order); an
 * event without a finite numeric `at`, or input that is not an array, throws `INPUT_INVALID` with its path
 * (under `path`, where the caller's input holds the list).
 */
export function inTimeOrder(events: ReadonlyArray<BehaviourEvent>, path: ReadonlyArray<string | number> = ['events']): ReadonlyArray<BehaviourEvent> {
  if (!Array.isArray(events)) throw inputError('events must be an array of behaviour events', path);
  let sorted = true;
  let prev = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as BehaviourEvent | null | undefined;
    const at = typeof e === 'object' && e !== null ? e.at : undefined;
    if (typeof at !== 'number' || !Number.isFinite(at)) {
      throw inputError('Each event needs a numeric `at` (epoch ms)', [...path, i, 'at']);
    }
    if (at < prev) sorted = false;
    prev = at;
  }
  return sorted ? events : sortByAt(events);
}
