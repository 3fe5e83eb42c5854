import { parseStickyAssignment, type AssignmentStore, type StickyAssignment } from '../../experiments/store.js';
import { checkAssignmentIds, compareCodeUnits, refuseUnknownOptions } from '../store-input.js';

/**
 * In-process {@link AssignmentStore}: a map per unit. Each call runs without awaiting in between, so
 * `putIfAbsent` is atomic within one process (use Redis or PostgreSQL when several processes enroll). Every unit is
 * kept until erased (no `maxSubjects`: the store takes no options, and refuses any with `CONFIG_INVALID`).
 *
 * @example
 * ```ts
 * const store = new MemoryAssignmentStore();
 * await store.putIfAbsent({ experimentId: 'subject-line', unitId: 'p1', variantId: 'emoji', assignedAt: Date.now() });
 * ```
 */
export class MemoryAssignmentStore implements AssignmentStore {
  private readonly units = new Map<string, Map<string, StickyAssignment>>();

  constructor(options?: Record<string, never>) {
    refuseUnknownOptions(options, []);
  }

  async get(experimentId: string, unitId: string): Promise<StickyAssignment | null> {
    checkAssignmentIds(experimentId, unitId);
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
    checkAssignmentIds('x', unitId);
    return [...(this.units.get(unitId)?.values() ?? [])].sort((x, y) => compareCodeUnits(x.experimentId, y.experimentId));
  }

  async erase(unitId: string): Promise<number> {
    checkAssignmentIds('x', unitId);
    const n = this.units.get(unitId)?.size ?? 0;
    this.units.delete(unitId);
    return n;
  }
}
