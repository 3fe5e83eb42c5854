/** The load stage: one parallel read of everything a decision looks at. */
import type { BehaviourEvent, History } from '../core/records.js';
import type { EpochMs } from '../core/time.js';
import type { ConsentEvent } from '../consent/ledger.js';
import type { PreparedArbitration } from '../arbitration/arbitrate.js';
import type { DecideConfig } from './config.js';
import { expectReads } from './answers.js';
import { allWithDeadline } from './deadline.js';
import type { DecideStores } from './stores.js';

/**
 * What the load stage read.
 *
 * @example
 * ```ts
 * declare const state: LoadedState;
 * console.log(state.history.contacts.length, state.consentEvents.length, state.profile.subjectId);
 * ```
 */
export interface LoadedState {
  readonly history: History;
  readonly consentEvents: ReadonlyArray<ConsentEvent>;
  readonly profile: Readonly<Record<string, unknown>>;
}

/** The load stage's result as the pipeline uses it: with the history prepared once for every ranking (by the first). Internal. */
export interface Loaded extends LoadedState {
  prepared: PreparedArbitration | null;
}

/**
 * Reads events, contact history, consent events and profile attributes in parallel, from `now − lookbackMs` (the
 * longest window any stage reads); with an unbounded window (`lookbackMs` = `Infinity`), everything the stores keep.
 */
export async function loadState(stores: DecideStores, config: DecideConfig, subjectId: string, now: EpochMs): Promise<Loaded> {
  const t = config.storeTimeoutMs;
  const since = now - config.lookbackMs;
  const bounded = since > Number.NEGATIVE_INFINITY;
  const profiles = stores.profiles;
  const [events, contactHistory, consentEvents, profile] = await allWithDeadline<[BehaviourEvent[], History, ConsentEvent[], Readonly<Record<string, unknown>> | null]>('load', t, [
    ['events.read', () => stores.events.read(subjectId, bounded ? { from: since, to: now + 1 } : { to: now + 1 })],
    ['contacts.history', () => (bounded ? stores.contacts.history(subjectId, since) : stores.contacts.history(subjectId))],
    ['consent.events', () => stores.consent.events(subjectId)],
    ['profiles.get', () => (profiles ? profiles.get(subjectId) : null)],
  ]);
  expectReads('load', events, contactHistory, consentEvents, profile);
  // Contacts stamped after `now` (another service's clock runs ahead) are kept: the store's atomic check
  // counts them in their windows, and the pure checks must agree with it.
  const history: History = { subjectId, contacts: contactHistory.contacts, responses: contactHistory.responses, events };
  return { history, consentEvents, profile: profile ? { subjectId, ...profile } : { subjectId }, prepared: null };
}
