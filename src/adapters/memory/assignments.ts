import { checkIds, parseStickyAssignment, type AssignmentStore, type StickyAssignment } from '../../experiments/store.js';

/**
 * In-process {@link AssignmentStore}: a map per unit. Each call runs without awaiting in between, so
 * `putIfAbsent` is atomic within one process (use Redis or PostgreSQL when several processes enroll).
 *
 * @example
 * ```ts
 * const store = new MemoryAssignmentStore();
 * await store.putIfAbsent({ experimentId: 'subject-line', unitId: 'p1', variantId: 'emoji', assignedAt: Date.now() });
 * ```
 */
export class MemoryAssignmentStore implements AssignmentStore {
  private readonly units = new Map<string, Map<string, StickyAssignment>>();

  async get(experimentId: string, unitId: string): Promise<StickyAssignment | null> {
    checkIds(experimentId, unitId);
    return this.units.get(unitId)?.get(experimentId) ?? null;
  }

  async putIfAbsent(assignment: StickyAssignment): Promise<{ stored: StickyAssignment; created: boolean }> {
    const a = Object.freeze(parseStickyAssignment(assignment));
    let byExperiment = this.units.get(a.unitId);
    if (!byExperiment) this.units.set(a.unitId, (byExperiment = new Map()));
    const existing = byExperiment.get(a.experimentId);
    if (existing) return { stored: existing, created: false };
    byExperiment.set(a.experimentId, a);
    return { stored: a, created: true };
  }

  async list(unitId: string): Promise<StickyAssignment[]> {
    checkIds('x', unitId);
    return [...(this.units.get(unitId)?.values() ?? [])].sort((x, y) => (x.experimentId < y.experimentId ? -1 : x.experimentId > y.experimentId ? 1 : 0));
  }

  async erase(unitId: string): Promise<number> {
    checkIds('x', unitId);
    const n = this.units.get(unitId)?.size ?? 0;
    this.units.delete(unitId);
    return n;
  }
}
