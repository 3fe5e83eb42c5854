import { reason, type Reason } from '../core/explain.js';
import type { History } from '../core/records.js';
import type { ContactHistoryStore } from '../capping/store.js';
import type { OfferCapacityStore } from '../arbitration/store.js';
import { canContact } from '../consent/contact.js';
import { consentState, type ConsentEvent } from '../consent/ledger.js';
import type { ConsentStore } from '../consent/store.js';
import { safeDecodeTcString } from '../consent/tcf/decode.js';
import type { TcString } from '../consent/tcf/model.js';
import type { Result } from '../core/errors.js';
import { tcfCanProcess } from '../consent/tcf/check.js';
import type { DecideConfig } from './config.js';
import { withDeadline } from './deadline.js';
import type { DecideRequest } from './request.js';
import type { RemovedItem } from './trace.js';
import type { IdentityStore } from '../identity/store.js';
import type { ProfileChange } from '../identity/graph.js';
import type { EventStore } from '../segments/store.js';
import type { EpochMs } from '../core/time.js';

/**
 * Profile attributes for segment rules (country, signed-up date, tier…), when a service keeps them somewhere.
 * Optional: without it, segments see the request's `context` and the identifiers' types.
 *
 * @example
 * ```ts
 * const crm = new Map<string, Record<string, unknown>>([['p_1', { tier: 'gold', country: 'FR' }]]);
 * const profiles: ProfileSource = { get: async (id) => crm.get(id) ?? null };
 * ```
 */
export interface ProfileSource {
  get(subjectId: string): Promise<Readonly<Record<string, unknown>> | null>;
}

/**
 * The stores one decision reads and writes. `contacts` is the shared contact history (contacts + responses,
 * atomic `reserve`); `offerCapacity` is needed only when offers have global capacities or budgets.
 */
export interface DecideStores {
  readonly identity: IdentityStore;
  readonly consent: ConsentStore;
  readonly contacts: ContactHistoryStore;
  readonly events: EventStore;
  readonly offerCapacity?: OfferCapacityStore;
  readonly profiles?: ProfileSource;
}

/** What the load stage read. */
export interface LoadedState {
  readonly history: History;
  readonly consentEvents: ReadonlyArray<ConsentEvent>;
  readonly profile: Readonly<Record<string, unknown>>;
}

/** Masks an identifier value for traces: type and the first characters only (traces end up in logs). */
export function maskIdentifier(type: string, value: string): string {
  const keep = Math.min(3, Math.floor(value.length / 4));
  return `${type}:${value.slice(0, keep)}${'*'.repeat(Math.max(3, Math.min(8, value.length - keep)))}`;
}

/**
 * Resolves the request's identifiers to one profile id. With `identity.observe`, the identifiers are first
 * recorded as an observation (a cookie seen with a login email links them; a new visitor gets a profile);
 * profiles that merge have their histories re-keyed (see {@link rekeyHistories}). Invalid and blocked
 * identifiers are reported as removed, refused links as notes.
 */
export async function resolveSubject(
  stores: DecideStores,
  config: DecideConfig,
  req: DecideRequest,
): Promise<{ subjectId: string | null; accepted: number; rejected: RemovedItem[]; notes: Reason[] }> {
  const t = config.storeTimeoutMs;
  const rejected: RemovedItem[] = [];
  const notes: Reason[] = [];
  let accepted = req.identifiers.length;
  if (config.observe) {
    const report = await withDeadline('identity', 'identity.addObservations', t, () =>
      stores.identity.addObservations([{ identifiers: req.identifiers, at: req.now, source: req.channel }]),
    );
    for (const inv of report.invalid) {
      const id = req.identifiers[inv.index];
      rejected.push({ kind: 'identifier', id: id ? maskIdentifier(id.type, id.value) : `#${inv.index}`, reasons: [inv.reason] });
    }
    accepted -= report.invalid.length;
    for (const r of report.refused) {
      if (r.code === 'IDENTITY_BLOCKED_VALUE' && req.identifiers.some((x) => x.type === r.from.type)) {
        rejected.push({ kind: 'identifier', id: maskIdentifier(r.from.type, r.from.value), reasons: [reason(r.code, r.message, { rule: r.rule })] });
        accepted--;
      } else notes.push(reason(r.code, r.message, { rule: r.rule, detail: { from: r.from.type, ...(r.to ? { to: r.to.type } : {}) } }));
    }
    if (report.changes.length > 0) {
      const moved = await rekeyHistories(stores, report.changes, { timeoutMs: t });
      if (moved > 0) notes.push(reason('DECIDE_HISTORY_REKEYED', `Profiles merged: ${moved} records moved to the surviving profile`, { detail: { records: moved } }));
    }
  }
  const subjectId = await withDeadline('identity', 'identity.resolve', t, () => stores.identity.resolve(req.identifiers));
  return { subjectId, accepted: Math.max(0, accepted), rejected, notes };
}

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

/**
 * Consent for one channel: the first-party ledger (opt-in channels need a grant; owned channels such as the
 * web site only stop on an explicit objection), GPC, and for CMP channels the TC string for every configured
 * TCF purpose. Returns allowed + reasons (blocking first).
 */
export function checkChannelConsent(config: DecideConfig, state: LoadedState, channel: string, req: DecideRequest): { allowed: boolean; reasons: Reason[] } {
  const ledger = consentState(state.consentEvents, config.consentPolicy);
  const gpc = req.gpc === true ? { optOut: true, source: 'header' as const } : undefined;
  const d = canContact(ledger, { channel, purpose: config.purpose, now: req.now, ...(gpc ? { gpc } : {}) });
  const blocking: Reason[] = [];
  const info: Reason[] = [];
  const optIn = config.ledgerChannels.has(channel);
  if (d.allowed) info.push(...d.reasons);
  else if (!optIn && (d.consent.status === 'unknown' || d.consent.status === 'pending')) {
    // An owned channel (web, app, store): no opt-in needed, but GPC and explicit objections still stop it.
    for (const r of d.reasons) {
      if (r.code === 'CONSENT_UNKNOWN' || r.code === 'CONSENT_PENDING') {
        info.push(reason('DECIDE_OWNED_CHANNEL', `${channel} is an owned channel: no opt-in needed for ${config.purpose}`, { detail: { channel } }));
      } else blocking.push(r);
    }
  } else blocking.push(...d.reasons.filter((r) => !INFO_CODES.has(r.code)), ...d.reasons.filter((r) => INFO_CODES.has(r.code)));
  if (gpc && config.gpcChannels.has(channel)) blocking.push(reason('CONSENT_GPC_OPT_OUT', `Global Privacy Control: no personalised offer on ${channel}`));
  const tcf = config.tcf;
  if (tcf && tcf.channels.has(channel)) {
    if (req.tcString === undefined) {
      if (tcf.missing === 'deny') blocking.push(reason('DECIDE_TCF_MISSING', `No TC string for ${channel}: personalisation is not allowed without the CMP's answer`));
    } else {
      const decoded = decodeTc(config, req.tcString);
      if (!decoded.ok) blocking.push(reason('CONSENT_TCF_MALFORMED', `TC string rejected: ${decoded.error.message}`));
      else {
        for (const purposeId of tcf.purposes) {
          const td = tcfCanProcess(decoded.value, { vendorId: tcf.vendorId, purposeId }, config.gvl ?? null, { now: req.now });
          if (!td.allowed) {
            blocking.push(reason('CONSENT_TCF_DENIED', `TCF: vendor ${tcf.vendorId} may not process for purpose ${purposeId}`, { detail: { vendorId: tcf.vendorId, purposeId } }));
            blocking.push(...td.reasons);
            break;
          }
        }
      }
    }
  }
  return { allowed: blocking.length === 0, reasons: [...blocking, ...info] };
}

/** Decodes a TC string through the config's bounded memo (decoded strings are immutable data). */
function decodeTc(config: DecideConfig, text: string): Result<TcString> {
  const memo = config.tcMemo;
  let r = memo.get(text);
  if (r === undefined) {
    r = safeDecodeTcString(text) as Result<TcString>;
    // Drop the oldest entry beyond 4,096 strings: a Map iterates in insertion order.
    if (memo.size >= 4096) memo.delete(memo.keys().next().value as string);
    memo.set(text, r);
  }
  return r;
}

const INFO_CODES: ReadonlySet<string> = new Set(['CONSENT_GRANTED', 'CONSENT_SOFT_OPT_IN', 'CONSENT_OPT_OUT_REGIME']);

/** Evaluates only the segments the catalogue refers to; returns the ids the person is in, sorted. */
export function evaluateNeededSegments(config: DecideConfig, state: LoadedState, req: DecideRequest): string[] {
  const segments = config.segments;
  if (!segments || config.neededSegments.length === 0) return [];
  const profile = req.context ? { ...state.profile, ...req.context } : state.profile;
  const out: string[] = [];
  for (const id of config.neededSegments) if (segments.matches(id, profile, state.history.events, req.now)) out.push(id);
  return out;
}
