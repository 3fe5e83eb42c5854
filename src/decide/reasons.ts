/** Helpers the decision pipeline uses to assemble its reasons (internal: not exported from the entry). */
import type { Reason } from '../core/explain.js';
import { setOwn } from '../core/own.js';

/**
 * A stage's reason for removing an item, with the stage named in its detail: the same fields in the same order
 * as `{ ...r, detail: { ...r.detail, stage } }` for a reason built by `reason()`, built without spreading (the
 * decision pipeline calls it for every offer arbitration excludes). Internal.
 *
 * @example
 * ```text
 * reasonAtStage({ code: 'OFFER_EXPIRED', message: 'Offer a ended', detail: { until: 1 } }, 'eligibility');
 * // { code: 'OFFER_EXPIRED', message: 'Offer a ended', detail: { until: 1, stage: 'eligibility' } }
 * ```
 */
export function reasonAtStage(r: Reason, stage: string): Reason {
  let detail: Record<string, unknown>;
  if (r.detail === undefined) detail = { stage };
  else {
    detail = {};
    // setOwn: an own `__proto__` key stays a property, as the spread keeps it, instead of becoming the prototype.
    for (const k in r.detail) if (Object.prototype.hasOwnProperty.call(r.detail, k)) setOwn(detail, k, r.detail[k]);
    detail.stage = stage;
  }
  return r.rule === undefined ? { code: r.code, message: r.message, detail } : { code: r.code, message: r.message, rule: r.rule, detail };
}

/**
 * The reasons without repeats (same code, rule and message), first occurrences kept in order: the refusals of
 * several offers often share a cap. Internal.
 *
 * @example
 * ```text
 * const r = { code: 'CAP_LIMIT_REACHED', message: '1 per day', rule: 'email-day' };
 * dedupeReasons([r, { ...r }]).length; // 1
 * ```
 */
export function dedupeReasons(reasons: ReadonlyArray<Reason>): Reason[] {
  // Usually a handful (one or two per capped offer): compared field by field, with no key string per reason;
  // a long list (many offers × many rules) goes through a set of keys.
  if (reasons.length > 16) {
    const seen = new Set<string>();
    return reasons.filter((r) => {
      const k = `${r.code}\u0000${r.rule ?? ''}\u0000${r.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  const out: Reason[] = [];
  next: for (const r of reasons) {
    const rule = r.rule ?? '';
    for (const o of out) if (o.code === r.code && o.message === r.message && (o.rule ?? '') === rule) continue next;
    out.push(r);
  }
  return out;
}
