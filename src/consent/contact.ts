/**
 * `canContact`: one answer to "may we contact this person on this channel for this purpose?", combining the
 * first-party ledger, a Global Privacy Control signal and, when supplied, the TCF check.
 */
import { expectObject } from '../core/guards.js';
import type { Reason } from '../core/explain.js';
import type { EpochMs } from '../core/time.js';
import type { GpcSignal } from './gpc.js';
import { foldConsent, type ChannelConsent, type ConsentState } from './ledger.js';
import { tcfCanProcess, type TcfCheckOptions, type TcfDecision, type TcfQuery } from './tcf/check.js';
import type { Gvl } from './tcf/gvl.js';
import type { TcString } from './tcf/model.js';
import type { ContactReasonCode } from './errors.js';

/**
 * What {@link canContact} is asked.
 *
 * @example
 * ```ts
 * const q: ContactQuery = { channel: 'sms', purpose: 'marketing', now: Date.now(), gpc: readGpc({ globalPrivacyControl: true }) };
 * ```
 */
export interface ContactQuery {
  readonly channel: string;
  readonly purpose: string;
  readonly now: EpochMs;
  /** A GPC signal (see `readGpc`); it blocks the policy's `gpcPurposes`. */
  readonly gpc?: GpcSignal;
  /**
   * A decoded TC string and the vendor/purpose to check (e.g. the ESP or ad platform acting for you). Its
   * `options.now` defaults to the query's `now` (the policy-version and DisclosedVendors dates, GVL deletions).
   */
  readonly tcf?: { readonly tc: TcString; readonly query: TcfQuery; readonly gvl?: Gvl | null; readonly options?: TcfCheckOptions };
}

/**
 * Outcome of {@link canContact}.
 *
 * @example
 * ```ts
 * declare const state: ConsentState;
 * const d: ContactDecision = canContact(state, { channel: 'email', purpose: 'marketing', now: Date.now() });
 * console.log(d.consent.status, d.tcf?.basis);
 * ```
 */
export interface ContactDecision {
  readonly allowed: boolean;
  readonly reasons: ReadonlyArray<Reason<ContactReasonCode | string>>;
  /** The folded ledger entry the decision used. */
  readonly consent: ChannelConsent;
  /** The TCF decision when a TC string was supplied. */
  readonly tcf: TcfDecision | null;
}

/**
 * Decides whether `channel` × `purpose` may be used at `now`. Blocking reasons: the ledger is not `granted`
 * (except `unknown` on an opt-out-regime channel), GPC opted out of this purpose, or the TCF check failed.
 * Informational reasons say what allowed it (`CONSENT_GRANTED` with the basis, …). Pure: state and `now` in.
 *
 * @example
 * ```ts
 * declare const events: ConsentEvent[]; declare const policy: ConsentPolicy; declare const now: number;
 * const d = canContact(consentState(events, policy), { channel: 'email', purpose: 'marketing', now });
 * if (!d.allowed) console.log(d.reasons.map((r) => r.code)); // ['CONSENT_WITHDRAWN']
 * ```
 */
export function canContact(state: ConsentState, query: ContactQuery): ContactDecision {
  expectObject(state, ['state']);
  expectObject(query, ['query']);
  const { channel, purpose, now } = query;
  const consent = foldConsent(state, channel, purpose, now);
  const blocking: Reason<string>[] = [];
  const info: Reason<string>[] = [];
  const detail = consent.since === null ? { channel, purpose } : { channel, purpose, since: consent.since };
  switch (consent.status) {
    case 'granted':
      if (consent.basis === 'soft_opt_in') info.push({ code: 'CONSENT_SOFT_OPT_IN', message: `${channel} ${purpose}: existing customer, soft opt-in`, detail });
      else info.push({ code: 'CONSENT_GRANTED', message: `${channel} ${purpose}: consent granted (${consent.basis ?? 'opt_in'})`, detail });
      break;
    case 'unknown':
      if (state.policy.optOutChannels.has(channel)) info.push({ code: 'CONSENT_OPT_OUT_REGIME', message: `${channel}: opt-out regime, no objection`, detail });
      else blocking.push({ code: 'CONSENT_UNKNOWN', message: `no ${channel} consent recorded for ${purpose}`, detail });
      break;
    case 'pending':
      blocking.push({ code: 'CONSENT_PENDING', message: `${channel} ${purpose}: double opt-in unconfirmed`, detail });
      break;
    case 'denied':
      blocking.push({ code: 'CONSENT_DENIED', message: `${channel} ${purpose}: consent refused`, detail });
      break;
    case 'withdrawn':
      blocking.push({ code: 'CONSENT_WITHDRAWN', message: `${channel} ${purpose}: consent withdrawn`, detail });
      break;
    case 'expired':
      blocking.push({ code: 'CONSENT_EXPIRED', message: `${channel} ${purpose}: consent expired`, detail });
      break;
  }
  if (query.gpc?.optOut === true && state.policy.gpcPurposes.has(purpose)) {
    blocking.push({ code: 'CONSENT_GPC_OPT_OUT', message: `Global Privacy Control opts out of ${purpose}`, detail: { source: query.gpc.source } });
  }
  let tcf: TcfDecision | null = null;
  if (query.tcf) {
    tcf = tcfCanProcess(query.tcf.tc, query.tcf.query, query.tcf.gvl ?? null, { now, ...query.tcf.options });
    if (!tcf.allowed) {
      const { vendorId, purposeId, specialPurposeId } = query.tcf.query;
      blocking.push({ code: 'CONSENT_TCF_DENIED', message: `TCF: vendor ${vendorId} may not process for ${purposeId === undefined ? 'special ' : ''}purpose ${purposeId ?? specialPurposeId}`, detail: purposeId === undefined ? { vendorId, specialPurposeId } : { vendorId, purposeId } });
      blocking.push(...tcf.reasons);
    } else info.push(...tcf.reasons);
  }
  // Blocking first, then the informational ones: appended in place (`concat` would copy both into a third array).
  for (let i = 0; i < info.length && blocking.length > 0; i++) blocking.push(info[i]!);
  return { allowed: blocking.length === 0, reasons: blocking.length === 0 ? info : blocking, consent, tcf };
}
