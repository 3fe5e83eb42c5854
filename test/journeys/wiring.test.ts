/**
 * The hooks journeys share with experiments and timing, wired for real: a journey `send` step honours the
 * experiments module's holdout (`createHoldoutCheck`: held people get a `wouldSend` record, never a contact) and
 * sends at the timing module's best legal moment (`bestMomentCheck`), inside the same caps.
 */
import { describe, expect, it } from 'vitest';
import { parseCapRules } from '../../src/capping/index.js';
import { HOUR, localTime } from '../../src/core/time.js';
import { createHoldoutCheck, parseHoldout } from '../../src/experiments/index.js';
import { advance, parseJourney, startInstance } from '../../src/journeys/index.js';
import { bestMomentCheck, TimingModel } from '../../src/timing/index.js';

const T0 = Date.parse('2026-03-02T08:00:00Z'); // Monday 09:00 in Paris
const ZONE = 'Europe/Paris';
const welcome = parseJourney({
  id: 'welcome',
  version: 1,
  timeZone: ZONE,
  entry: { on: { event: 'signup' }, reentry: 'never' },
  start: 'hello',
  steps: {
    hello: { type: 'send', channel: 'email', message: 'welcome', at: 'bestMoment', within: '24h', next: 'done' },
    done: { type: 'end' },
  },
});
const caps = parseCapRules({ timeZone: ZONE, rules: [{ id: 'night', kind: 'quiet', ranges: [{ from: '21:00', to: '08:00' }] }] });

/** Runs the journey from T0 through its wake-ups (at most a day) and returns the actions. */
function run(subjectId: string, hooks: Parameters<typeof advance>[2]) {
  let instance = startInstance(welcome, subjectId, T0);
  const actions = [];
  for (let t = T0, guard = 0; guard < 20 && instance.status === 'active'; guard++) {
    const r = advance(welcome, instance, { caps, timeZone: ZONE, ...hooks }, t);
    actions.push(...r.actions);
    instance = r.instance;
    if (instance.wakeAt === null || instance.wakeAt === undefined) break;
    t = instance.wakeAt;
  }
  return actions;
}

describe('journeys × experiments × timing', () => {
  const holdout = parseHoldout({ id: 'programme-2026', share: 0.2 });
  const check = createHoldoutCheck({ holdout });
  const people = Array.from({ length: 200 }, (_, i) => `person-${i}`);

  it('held people get a "would have been sent" record and no send; the others get the send', () => {
    let held = 0;
    for (const id of people) {
      const verdict = check(id, { channel: 'email', now: T0 });
      const actions = run(id, { holdout: check });
      const kinds = actions.map((a) => a.kind);
      if (verdict.held) {
        held++;
        expect(kinds).toEqual(['wouldSend']);
        const a = actions[0]!;
        if (a.kind !== 'wouldSend') throw new Error('unreachable');
        expect([a.experimentId, a.variantId]).toEqual(['programme-2026', 'holdout']);
      } else expect(kinds).toEqual(['send']);
    }
    // About 20 % held (binomial, 200 people): far from none and from all.
    expect(held).toBeGreaterThan(15);
    expect(held).toBeLessThan(70);
  });

  it('sends at the best legal moment the timing model learned, never in quiet hours', () => {
    const model = new TimingModel({ channels: ['email'], timeZone: ZONE });
    // Ana answers emails at 19:00 local, week after week.
    for (let w = 1; w <= 8; w++) {
      const at = T0 - w * 7 * 24 * HOUR + 10 * HOUR; // Monday 19:00 Paris, w weeks ago
      model.observeContact({ subjectId: 'ana', channel: 'email', at: at - 10 * 60_000 }, T0);
      model.observeResponse({ subjectId: 'ana', channel: 'email', kind: 'opened', at, contactId: `c${w}` }, T0);
    }
    const bestMoment = bestMomentCheck(model, { caps, history: () => undefined });
    const actions = run('ana', { bestMoment });
    expect(actions.map((a) => a.kind)).toEqual(['send']);
    const sent = localTime(actions[0]!.at, ZONE);
    expect(sent.hour).toBe(19);
    expect(actions[0]!.at).toBeGreaterThanOrEqual(T0);
    expect(actions[0]!.at).toBeLessThan(T0 + 24 * HOUR);
  });
});

describe('hooks answering with the wrong shape', () => {
  it('are INPUT_INVALID at the hook, where a junk best moment sent at once (NaN, a string) or waited forever (Infinity) and a junk holdout answer sent', () => {
    const start = startInstance(welcome, 'ana', T0);
    for (const slot of [undefined, 5, {}, { at: Number.NaN, reasons: [] }, { at: Number.POSITIVE_INFINITY, reasons: [] }, { at: '2026-03-02T10:00:00Z', reasons: [] }, { at: T0 + HOUR }]) {
      expect(() => advance(welcome, start, { caps, timeZone: ZONE, bestMoment: () => slot as never }, T0), JSON.stringify(slot)).toThrow(
        expect.objectContaining({ code: 'INPUT_INVALID', path: 'inputs.bestMoment' }),
      );
    }
    const now = journeyWithoutBestMoment();
    for (const held of [undefined, null, 'yes', {}, { held: 1 }, { held: true }, { held: true, experimentId: 'x' }]) {
      expect(() => advance(now, startInstance(now, 'ana', T0), { timeZone: ZONE, holdout: () => held as never }, T0), JSON.stringify(held)).toThrow(
        expect.objectContaining({ code: 'INPUT_INVALID', path: 'inputs.holdout' }),
      );
    }
    // The valid answers still work.
    expect(advance(now, startInstance(now, 'ana', T0), { timeZone: ZONE, holdout: () => ({ held: false }) }, T0).actions.map((a) => a.kind)).toEqual(['send']);
    expect(advance(welcome, start, { caps, timeZone: ZONE, bestMoment: () => null }, T0).actions.filter((a) => a.kind === 'send')).toEqual([]);
  });
});

function journeyWithoutBestMoment() {
  return parseJourney({
    id: 'now',
    version: 1,
    timeZone: ZONE,
    entry: { on: { event: 'signup' }, reentry: 'never' },
    start: 'hello',
    steps: { hello: { type: 'send', channel: 'email', message: 'welcome', next: 'done' }, done: { type: 'end' } },
  });
}
