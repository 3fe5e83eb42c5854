/** The load stage: one parallel read of everything a decision looks at. */
import type { History } from '../core/records.js';
import type { EpochMs } from '../core/time.js';
import type { ConsentEvent } from '../consent/ledger.js';
import type { DecideConfig } from './config.js';
import { withDeadline } from './deadline.js';
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

/** Reads events, contact history, consent events and profile attributes in parallel. */
export async function loadState(stores: DecideStores, config: DecideConfig, subjectId: string, now: EpochMs): Promise<LoadedState> {
  const t = config.storeTimeoutMs;
  const since = now - config.lookbackMs;
  const profiles = stores.profiles;
  const [events, contactHistory, consentEvents, profile] = await Promise.all([
    withDeadline('load', 'events.read', t, () => stores.events.read(subjectId, { from: since, to: now + 1 })),
    withDeadline('load', 'contacts.history', t, () => stores.contacts.history(subjectId, since)),
    withDeadline('load', 'consent.events', t, () => stores.consent.events(subjectId)),
    profiles ? withDeadline('load', 'profiles.get', t, () => profiles.get(subjectId)) : Promise.resolve(null),
  ]);
  // Contacts stamped after `now` (another service's clock runs ahead) are kept: the store's atomic check
  // counts them in their windows, and the pure checks must agree with it.
  const history: History = { subjectId, contacts: contactHistory.contacts, responses: contactHistory.responses, events };
  return { history, consentEvents, profile: { subjectId, ...(profile ?? {}) } };
}
