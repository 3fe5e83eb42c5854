/** The identify stage: the request's identifiers to one profile id, observing them first when configured. */
import { reason, type Reason } from '../core/explain.js';
import type { DecideConfig } from './config.js';
import { expectProfileId, expectStitchReport } from './answers.js';
import { withDeadline } from './deadline.js';
import { maskIdentifier } from './mask.js';
import { rekeyHistories } from './rekey.js';
import type { DecideRequest } from './request.js';
import type { DecideStores } from './stores.js';
import type { RemovedItem } from './trace.js';
import type { StitchReport } from '../identity/graph.js';

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
    expectStitchReport(report);
    accepted -= explainReport(req, report, rejected, notes);
    if (report.changes.length > 0) {
      const moved = await rekeyHistories(stores, report.changes, { timeoutMs: t });
      if (moved > 0) notes.push(reason('DECIDE_HISTORY_REKEYED', `Profiles merged: ${moved} records moved to the surviving profile`, { detail: { records: moved } }));
    }
  }
  const subjectId = expectProfileId(await withDeadline('identity', 'identity.resolve', t, () => stores.identity.resolve(req.identifiers)), 'identity');
  return { subjectId, accepted: Math.max(0, accepted), rejected, notes };
}

/**
 * Files the identity report's invalid identifiers and blocked values as rejected, its other refusals as notes;
 * returns how many of the request's identifiers were rejected. Kept out of `resolveSubject`, which is async and
 * on every decision's path, so that function holds no loop (see test/architecture/hot-paths.test.ts).
 */
function explainReport(req: DecideRequest, report: StitchReport, rejected: RemovedItem[], notes: Reason[]): number {
  let dropped = report.invalid.length;
  for (const inv of report.invalid) {
    const id = req.identifiers[inv.index];
    rejected.push({ kind: 'identifier', id: id ? maskIdentifier(id.type, id.value) : `#${inv.index}`, reasons: [inv.reason] });
  }
  for (const r of report.refused) {
    if (r.code === 'IDENTITY_BLOCKED_VALUE' && req.identifiers.some((x) => x.type === r.from.type)) {
      rejected.push({ kind: 'identifier', id: maskIdentifier(r.from.type, r.from.value), reasons: [reason(r.code, r.message, { rule: r.rule })] });
      dropped++;
    } else notes.push(reason(r.code, r.message, { rule: r.rule, detail: { from: r.from.type, ...(r.to ? { to: r.to.type } : {}) } }));
  }
  return dropped;
}
