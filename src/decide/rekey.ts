/** Histories follow identity: when profiles merge, rename or split, their records move to the surviving ids. */
import { expectArray, expectObject, expectObjects, expectOptions, expectString } from '../core/guards.js';
import type { ProfileChange } from '../identity/graph.js';
import { expectReads } from './answers.js';
import { withDeadline } from './deadline.js';
import type { DecideStores } from './stores.js';

/**
 * Moves the histories of profiles that identity merged, renamed or split (`ProfileChange.previousIds`) to
 * the current profile ids: behaviour events, contacts and responses are copied (idempotently: records keep
 * their ids and idempotency keys) to every profile that came out of an old id — both halves of a split keep
 * the history, which errs on the side of counting contacts — and then erased under the old id unless that id
 * is still a live profile; consent events are copied and kept (the ledger is append-only). Returns how many
 * records were copied. Call it with the `changes` of every `addObservations`, `removeIdentifier` or `erase`
 * you make outside `decide`.
 *
 * @example
 * ```ts
 * declare const stores: DecideStores;
 * const report = await stores.identity.addObservations([{ identifiers: [{ type: 'cookie_id', value: 'ck-1' }, { type: 'email', value: 'ann@example.com' }], at: Date.now() }]);
 * await rekeyHistories(stores, report.changes);
 * ```
 */
export async function rekeyHistories(
  stores: Pick<DecideStores, 'events' | 'contacts' | 'consent'>,
  changes: ReadonlyArray<ProfileChange>,
  options: { timeoutMs?: number } = {},
): Promise<number> {
  expectObject(stores, ['stores']);
  expectArray(changes, ['changes']);
  expectObjects(changes, ['changes']);
  changes.forEach((c, i) => {
    expectString((c as { profileId?: unknown }).profileId, ['changes', i, 'profileId']);
    expectArray((c as { previousIds?: unknown }).previousIds, ['changes', i, 'previousIds']);
  });
  expectOptions(options, ['options']);
  const t = options.timeoutMs ?? 0;
  const live = new Set(changes.map((c) => c.profileId));
  const targets = new Map<string, string[]>();
  for (const change of changes) {
    for (const from of change.previousIds) {
      if (from === change.profileId) continue;
      const list = targets.get(from);
      if (list) list.push(change.profileId);
      else targets.set(from, [change.profileId]);
    }
  }
  let moved = 0;
  for (const [from, tos] of targets) {
    const [events, history, consent] = await Promise.all([
      withDeadline('identity', 'events.read', t, () => stores.events.read(from)),
      withDeadline('identity', 'contacts.history', t, () => stores.contacts.history(from)),
      withDeadline('identity', 'consent.events', t, () => stores.consent.events(from)),
    ]);
    expectReads('identity', events, history, consent);
    for (const to of tos) {
      if (events.length > 0) await withDeadline('identity', 'events.append', t, () => stores.events.append(events.map((e) => ({ ...e, subjectId: to }))));
      for (const c of history.contacts) await withDeadline('identity', 'contacts.recordContact', t, () => stores.contacts.recordContact({ ...c, subjectId: to }));
      for (const r of history.responses) await withDeadline('identity', 'contacts.recordResponse', t, () => stores.contacts.recordResponse({ ...r, subjectId: to }));
      for (const e of consent) await withDeadline('identity', 'consent.append', t, () => stores.consent.append({ ...e, subjectId: to }));
      moved += events.length + history.contacts.length + history.responses.length + consent.length;
    }
    // Erase only after every copy succeeded (a failure leaves records in both places, never in neither), and
    // never under an id that still names a live profile.
    if (live.has(from)) continue;
    if (events.length > 0) await withDeadline('identity', 'events.erase', t, () => stores.events.erase(from));
    if (history.contacts.length + history.responses.length > 0) await withDeadline('identity', 'contacts.erase', t, () => stores.contacts.erase(from));
  }
  return moved;
}
