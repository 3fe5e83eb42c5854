/** The consent stage: the first-party ledger, GPC and the TC string, for one channel. */
import { reason, type Reason } from '../core/explain.js';
import { canContact } from '../consent/contact.js';
import type { ConsentState } from '../consent/ledger.js';
import { tcfCanProcess } from '../consent/tcf/check.js';
import type { DecideConfig } from './config.js';
import type { DecideRequest } from './request.js';
import { decodeTc } from './tc-memo.js';

/**
 * Consent for one channel: the first-party ledger (opt-in channels need a grant; owned channels such as the
 * web site only stop on an explicit objection), GPC, and for CMP channels the TC string for every configured
 * TCF purpose. Returns allowed + reasons (blocking first). `ledger` is the person's folded ledger
 * (`consentState` of the loaded events under the config's policy), folded once per decision for every channel asked.
 */
export function checkChannelConsent(config: DecideConfig, ledger: ConsentState, channel: string, req: DecideRequest): { allowed: boolean; reasons: Reason[] } {
  const gpc = req.gpc === true ? { optOut: true, source: 'header' as const } : undefined;
  const d = canContact(ledger, gpc ? { channel, purpose: config.purpose, now: req.now, gpc } : { channel, purpose: config.purpose, now: req.now });
  const blocking: Reason[] = [];
  const info: Reason[] = [];
  const optIn = config.ledgerChannels.has(channel);
  if (d.allowed) info.push(...d.reasons);
  else if (!optIn && OWNED_OK.has(d.consent.status)) {
    // An owned channel (web, app, store): no opt-in needed (none, an unconfirmed or a lapsed one is no
    // objection), but GPC and explicit objections still stop it.
    for (const r of d.reasons) {
      if (OWNED_OK.has(r.code.slice(8).toLowerCase())) {
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
  return { allowed: blocking.length === 0, reasons: blocking.length === 0 ? info : blocking.concat(info) };
}

/** Ledger states that are no objection on an owned channel (their reason codes are `CONSENT_` + the state). */
const OWNED_OK: ReadonlySet<string> = new Set(['unknown', 'pending', 'expired']);
const INFO_CODES: ReadonlySet<string> = new Set(['CONSENT_GRANTED', 'CONSENT_SOFT_OPT_IN', 'CONSENT_OPT_OUT_REGIME']);
