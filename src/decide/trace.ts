import { readingInput } from '../core/errors.js';
import type { Reason } from '../core/explain.js';
import { expectArray, expectObject, expectObjects } from '../core/guards.js';
import type { EpochMs } from '../core/time.js';

/**
 * The stages of a decision, in the order they run. `validate` checks the request; `identity` resolves the
 * identifiers to a profile; `load` reads events, contact history and consent; `consent`, `segments`,
 * `arbitration` and `capping` are the pure modules; `reserve` writes the contact atomically.
 *
 * @example
 * ```ts
 * DECIDE_STAGES[0]; // 'validate'
 * DECIDE_STAGES.includes('capping'); // true
 * ```
 */
export const DECIDE_STAGES = ['validate', 'identity', 'load', 'consent', 'segments', 'arbitration', 'capping', 'reserve'] as const;

/**
 * One stage name of {@link DECIDE_STAGES}.
 *
 * @example
 * ```ts
 * declare const trace: DecisionTrace;
 * const failed: DecideStage[] = trace.stages.filter((s) => s.status === 'failed').map((s) => s.stage);
 * ```
 */
export type DecideStage = (typeof DECIDE_STAGES)[number];

/**
 * Something a stage took out of consideration (an offer, a channel, an identifier), and why.
 *
 * @example
 * ```ts
 * declare const trace: DecisionTrace;
 * const removed: RemovedItem[] = trace.stages.flatMap((s) => [...s.removed]);
 * const capped = removed.filter((r) => r.kind === 'offer' && r.reasons.some((x) => x.code === 'CAP_LIMIT_REACHED'));
 * ```
 */
export interface RemovedItem {
  /** What was removed: `offer`, `channel`, `identifier`, `segment`. */
  readonly kind: 'offer' | 'channel' | 'identifier' | 'segment';
  /** Its id (offer id, channel name, `type:value` of an identifier with the value masked). */
  readonly id: string;
  /** Why, as stable reason codes with human text. */
  readonly reasons: ReadonlyArray<Reason>;
}

/**
 * What one stage did: counts in and out (named, e.g. `{ offers: 12 }` → `{ offers: 3 }`), what it removed
 * with reasons, how long it took, and whether it failed.
 *
 * @example
 * ```ts
 * declare const trace: DecisionTrace;
 * const slowest: StageTrace | undefined = [...trace.stages].sort((a, b) => b.ms - a.ms)[0];
 * ```
 */
export interface StageTrace {
  readonly stage: DecideStage;
  readonly status: 'ok' | 'failed' | 'skipped';
  readonly input: Readonly<Record<string, number>>;
  readonly output: Readonly<Record<string, number>>;
  readonly removed: ReadonlyArray<RemovedItem>;
  /** Informational reasons (e.g. the consent basis, the segments the person is in). */
  readonly notes: ReadonlyArray<Reason>;
  /**
   * Wall time of the stage in milliseconds (measured with the configured clock; not part of the decision). Stage
   * times are contiguous: a stage starts where the previous one ended, so they add up to the decision's time.
   */
  readonly ms: number;
  /** The error that failed the stage, as `{ code, message }`. */
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * The explanation of one decision: every stage that ran, in order. The trace is the same JSON whether the
 * decision contacted, declined or failed; only `ms` values vary from run to run.
 *
 * @example
 * ```ts
 * declare const result: DecideResult;
 * const trace: DecisionTrace = withoutTimings(result.trace);
 * console.log(formatTrace(trace));
 * ```
 */
export interface DecisionTrace {
  readonly requestId: string;
  readonly channel: string;
  readonly now: EpochMs;
  /** The resolved profile id, or null when identity did not resolve (or failed). */
  readonly subjectId: string | null;
  readonly stages: ReadonlyArray<StageTrace>;
  /** Sum of stage times. */
  readonly totalMs: number;
}

/**
 * A monotonic clock in milliseconds, used only for stage timings.
 *
 * @example
 * ```ts
 * let ticks = 0;
 * const fake: TraceClock = () => ticks++; // deterministic timings in tests
 * parseDecideConfig({ catalogue: { offers: [] }, caps: { rules: [] } }, { clock: fake });
 * ```
 */
export type TraceClock = () => number;

/**
 * Default clock: `performance.now()` (available in Node, browsers and workers).
 *
 * @example
 * ```ts
 * const config = parseDecideConfig({ catalogue: { offers: [] }, caps: { rules: [] } }, { clock: performanceClock });
 * ```
 */
export const performanceClock: TraceClock = /* @__PURE__ */ (() => {
  const perf = globalThis.performance;
  return () => perf.now();
})();

/** Records stages as they run; `finish()` gives the immutable {@link DecisionTrace}. Internal to one decision. */
export class TraceRecorder {
  private readonly stages: StageTrace[] = [];
  private current: { stage: DecideStage; input: Record<string, number>; startedAt: number } | null = null;
  /** The clock reading that ended the previous stage: the next one starts there (one reading per boundary). */
  private mark: number | null = null;
  subjectId: string | null = null;

  constructor(
    private requestId: string,
    private channel: string,
    private now: EpochMs,
    private readonly clock: TraceClock,
  ) {}

  /** Sets the request fields once the request is parsed (they are best-effort guesses before). */
  identify(requestId: string, channel: string, now: EpochMs): void {
    this.requestId = requestId;
    this.channel = channel;
    this.now = now;
  }

  /** Starts a stage with its input counts. */
  begin(stage: DecideStage, input: Record<string, number> = {}): void {
    const startedAt = this.mark ?? this.clock();
    this.mark = null;
    this.current = { stage, input, startedAt };
  }

  /** Ends the current stage successfully. */
  end(output: Record<string, number> = {}, removed: ReadonlyArray<RemovedItem> = [], notes: ReadonlyArray<Reason> = []): void {
    const c = this.current;
    if (!c) return;
    const t = this.clock();
    this.mark = t;
    this.stages.push({ stage: c.stage, status: 'ok', input: c.input, output, removed, notes, ms: t - c.startedAt });
    this.current = null;
  }

  /** Ends the current stage as failed (when one is running). */
  fail(error: { code: string; message: string }): void {
    const c = this.current;
    if (!c) return;
    const t = this.clock();
    this.mark = t;
    this.stages.push({ stage: c.stage, status: 'failed', input: c.input, output: {}, removed: [], notes: [], ms: t - c.startedAt, error: { code: error.code, message: error.message } });
    this.current = null;
  }

  /** Records a stage that did not need to run (e.g. capping when no offer survived arbitration). */
  skip(stage: DecideStage, note: Reason): void {
    this.stages.push({ stage, status: 'skipped', input: {}, output: {}, removed: [], notes: [note], ms: 0 });
  }

  /** The stage currently running, if any (used to attribute an error). */
  get running(): DecideStage | null {
    return this.current?.stage ?? null;
  }

  /** The finished trace (its stages are the recorder's: nothing is recorded after `finish`). */
  finish(): DecisionTrace {
    let total = 0;
    for (const s of this.stages) total += s.ms;
    return { requestId: this.requestId, channel: this.channel, now: this.now, subjectId: this.subjectId, stages: this.stages, totalMs: total };
  }
}

/**
 * A copy of the trace with every timing set to 0, for comparing decisions across runs or store backends.
 *
 * @example
 * ```ts
 * declare const a: { trace: DecisionTrace };
 * declare const b: { trace: DecisionTrace };
 * const same = JSON.stringify(withoutTimings(a.trace)) === JSON.stringify(withoutTimings(b.trace));
 * ```
 */
export function withoutTimings(trace: DecisionTrace): DecisionTrace {
  expectTrace(trace);
  return { ...trace, totalMs: 0, stages: trace.stages.map((s) => ({ ...s, ms: 0 })) };
}

/**
 * Renders a trace as a few readable lines (one per stage), for logs and the demo.
 *
 * @example
 * ```ts
 * declare const decision: { trace: DecisionTrace };
 * console.log(formatTrace(decision.trace));
 * // identity     ok   0.04 ms  identifiers 2 → profiles 1
 * ```
 */
export function formatTrace(trace: DecisionTrace): string {
  expectTrace(trace);
  // A trace of the wrong shape deeper than expectTrace looks (plain JavaScript, a hand-edited log) is INPUT_INVALID
  // at trace, with the TypeError as its cause.
  return readingInput(['trace'], 'Expected a trace from decide', () => {
    const lines = [`decision ${trace.requestId} · ${trace.channel} · subject ${trace.subjectId ?? '—'} · ${trace.totalMs.toFixed(2)} ms`];
    for (const s of trace.stages) {
      const counts = (r: Readonly<Record<string, number>>): string =>
        Object.entries(r)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
      let line = `  ${s.stage.padEnd(12)} ${s.status.padEnd(7)} ${s.ms.toFixed(2).padStart(7)} ms  ${counts(s.input)}${Object.keys(s.output).length ? ` → ${counts(s.output)}` : ''}`;
      if (s.error) line += `  ✗ ${s.error.code}: ${s.error.message}`;
      lines.push(line);
      // One line per distinct reason, so a catalogue of hundreds of offers stays readable.
      const groups = new Map<string, RemovedItem[]>();
      for (const r of s.removed) {
        const key = `${r.kind}\u0000${r.reasons.map((x) => x.code).join(', ')}`;
        const items = groups.get(key);
        if (items) items.push(r);
        else groups.set(key, [r]);
      }
      for (const [key, items] of groups) {
        const [kind, codes] = key.split('\u0000') as [string, string];
        const rules = [...new Set(items.flatMap((r) => r.reasons.map((x) => x.rule).filter((x): x is string => x !== undefined)))];
        const ids = items.map((r) => r.id);
        const shown = ids.length > 5 ? `${ids.slice(0, 5).join(', ')} +${ids.length - 5}` : ids.join(', ');
        lines.push(`      − ${kind}${ids.length > 1 ? 's' : ''} ${shown}: ${codes}${rules.length === 1 ? ` (${rules[0]})` : ''}`);
      }
      for (const n of s.notes.slice(0, 4)) lines.push(`      · ${n.code}: ${n.message}`);
    }
    return lines.join('\n');
  });
}

/** A trace as {@link decide} returns it (plain JavaScript may pass anything). */
function expectTrace(trace: unknown): void {
  expectObject(trace, ['trace']);
  expectArray((trace as { stages?: unknown }).stages, ['trace', 'stages']);
  expectObjects((trace as { stages: unknown[] }).stages, ['trace', 'stages']);
}
