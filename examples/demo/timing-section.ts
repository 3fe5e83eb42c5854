/**
 * The timing part of the demo: simulated people with hidden preferred hours and channels receive messages at
 * random local hours for eight weeks; `crosschannel/timing` learns from the first six and is replayed on the
 * last two against a fixed 10:00 send. The report shows recovered vs true preferences (and what a plain
 * per-person histogram recovers) and the replayed lift with its confidence interval.
 */
import { createRng } from 'crosschannel';
import type { ContactRecord, ResponseRecord } from 'crosschannel';
import { hourOfWeek } from 'crosschannel/timing';
import { channelAffinity, hourProfile, replayEvaluation, type ReplayEvaluation } from 'crosschannel/timing';
import { escapeXml, groupedBarSvg } from './charts.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-03-02T00:00:00Z');
const WEEKS = 8;
const SPLIT = START + 6 * 7 * DAY;
const NOW = START + WEEKS * 7 * DAY + DAY;
const ZONES = ['Europe/Paris', 'Europe/London', 'America/New_York'];
const CHANNELS = ['email', 'sms', 'push'];
/** Segments and the hours their members lean to (local): commuters, lunch readers, evening, night owls. */
const SEGMENTS = [
  { id: 'commuters', hour: 8 },
  { id: 'lunch', hour: 12 },
  { id: 'evening', hour: 19 },
  { id: 'night', hour: 22 },
];

/** What the demo report shows about timing. */
export interface TimingSection {
  readonly people: number;
  readonly responses: number;
  /** Share of people whose recovered best hour is within ±1 h of their hidden one: model, plain histogram. */
  readonly hourAccuracy: { readonly model: number; readonly histogram: number };
  /** The same, by how many training responses the person had. */
  readonly byHistory: ReadonlyArray<{ readonly label: string; readonly people: number; readonly model: number; readonly histogram: number }>;
  /** Share of people whose best channel by learned response rate is their hidden one. */
  readonly channelAccuracy: number;
  /** People per hidden hour, and per recovered hour (model). */
  readonly trueHours: ReadonlyArray<number>;
  readonly recoveredHours: ReadonlyArray<number>;
  readonly replay: ReplayEvaluation;
  readonly sample: ReadonlyArray<{ readonly id: string; readonly zone: string; readonly trueHour: number; readonly recovered: number; readonly trueChannel: string; readonly recoveredChannel: string }>;
}

const near = (a: number, b: number): boolean => Math.min(Math.abs(a - b), 24 - Math.abs(a - b)) <= 1;

/** Runs the timing simulation (seeded, deterministic). */
export function runTimingSection(options: { seed: number; people: number }): TimingSection {
  const rng = createRng(options.seed * 7919 + 18);
  const people = Array.from({ length: options.people }, (_, i) => {
    const seg = SEGMENTS[rng.int(SEGMENTS.length)]!;
    return { id: `t${i}`, zone: ZONES[i % ZONES.length]!, segment: seg.id, hour: (seg.hour + rng.int(5) - 2 + 24) % 24, channel: CHANNELS[rng.int(CHANNELS.length)]!, contacts: 10 + rng.int(rng.next() < 0.25 ? 80 : 25) };
  });
  let responseCount = 0;
  const histories = people.map((p) => {
    const contacts: ContactRecord[] = [];
    const responses: ResponseRecord[] = [];
    for (let k = 0; k < p.contacts; k++) {
      const at = START + rng.int(WEEKS * 7 * 24) * HOUR + rng.int(60) * 60_000;
      const channel = CHANNELS[rng.int(CHANNELS.length)]!;
      const id = `${p.id}-${k}`;
      contacts.push({ id, subjectId: p.id, channel, at, tags: ['marketing'], transactional: false });
      const h = hourOfWeek(at, p.zone) % 24;
      const base = near(h, p.hour) ? 0.7 : 0.06;
      if (rng.next() < base * (channel === p.channel ? 1 : 0.3)) {
        responses.push({ id: `${id}-r`, subjectId: p.id, contactId: id, kind: 'opened', channel, at: at + (5 + rng.int(40)) * 60_000, tags: [] });
        responseCount++;
      }
    }
    contacts.sort((a, b) => a.at - b.at);
    responses.sort((a, b) => a.at - b.at);
    return { subjectId: p.id, contacts, responses };
  });
  const byId = new Map(people.map((p) => [p.id, p]));
  const { model, evaluation } = replayEvaluation(histories, {
    splitAt: SPLIT,
    now: NOW,
    fixedHour: 10,
    tolerance: 1,
    model: { channels: CHANNELS },
    profile: (id) => ({ timeZone: byId.get(id)!.zone, segment: byId.get(id)!.segment }),
  });

  const trueHours = new Array<number>(24).fill(0);
  const recoveredHours = new Array<number>(24).fill(0);
  let okModel = 0;
  let okHist = 0;
  let okChannel = 0;
  const buckets = [
    { label: '0–2 responses', max: 2, people: 0, model: 0, histogram: 0 },
    { label: '3–5 responses', max: 5, people: 0, model: 0, histogram: 0 },
    { label: '6+ responses', max: Infinity, people: 0, model: 0, histogram: 0 },
  ];
  const sample: Array<TimingSection['sample'][number]> = [];
  // The plain histogram: the person's training responses by local hour of day, the population's when none.
  const population = new Array<number>(24).fill(0);
  const own = new Map<string, number[]>();
  for (const h of histories) {
    const p = byId.get(h.subjectId)!;
    for (const r of h.responses) {
      if (r.at >= SPLIT) continue;
      const hour = hourOfWeek(r.at, p.zone) % 24;
      population[hour]!++;
      const counts = own.get(p.id) ?? new Array<number>(24).fill(0);
      counts[hour]!++;
      own.set(p.id, counts);
    }
  }
  const argmax = (xs: ReadonlyArray<number>): number => xs.reduce((b, x, i) => (x > xs[b]! ? i : b), 0);
  for (const p of people) {
    const profile = hourProfile(model, p.id);
    const day = new Array<number>(24).fill(0);
    for (let h = 0; h < 168; h++) day[h % 24]! += profile[h]!;
    const recovered = argmax(day);
    const histHour = argmax(own.get(p.id) ?? population);
    const rates = CHANNELS.map((c) => channelAffinity(model, p.id, c).responseRate);
    const recoveredChannel = CHANNELS[argmax(rates)]!;
    trueHours[p.hour]!++;
    recoveredHours[recovered]!++;
    const n = (own.get(p.id) ?? []).reduce((a, b) => a + b, 0);
    const bucket = buckets.find((b) => n <= b.max)!;
    bucket.people++;
    if (near(recovered, p.hour)) {
      okModel++;
      bucket.model++;
    }
    if (near(histHour, p.hour)) {
      okHist++;
      bucket.histogram++;
    }
    if (recoveredChannel === p.channel) okChannel++;
    if (sample.length < 8) sample.push({ id: p.id, zone: p.zone, trueHour: p.hour, recovered, trueChannel: p.channel, recoveredChannel });
  }
  const share = (x: number, n: number): number => (n === 0 ? 0 : x / n);
  return {
    people: people.length,
    responses: responseCount,
    hourAccuracy: { model: share(okModel, people.length), histogram: share(okHist, people.length) },
    byHistory: buckets.map((b) => ({ label: b.label, people: b.people, model: share(b.model, b.people), histogram: share(b.histogram, b.people) })),
    channelAccuracy: share(okChannel, people.length),
    trueHours,
    recoveredHours,
    replay: evaluation,
    sample,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const liftText = (r: ReplayEvaluation): string =>
  r.lift === null ? 'not measurable (an arm matched no contact)' : `${pct(r.lift)} (95% CI ${pct(r.liftInterval![0])} … ${pct(r.liftInterval![1])})`;

/** The section as text lines for the console report. */
export function renderTimingText(s: TimingSection): string {
  const r = s.replay;
  return [
    `Timing — ${s.people.toLocaleString('en-US')} simulated people with hidden hours and channels, ${s.responses.toLocaleString('en-US')} responses`,
    `  best hour recovered (±1 h): model ${pct(s.hourAccuracy.model)}, plain histogram ${pct(s.hourAccuracy.histogram)}; best channel recovered: ${pct(s.channelAccuracy)}`,
    ...s.byHistory.map((b) => `    ${b.label.padEnd(14)} ${String(b.people).padStart(6)} people: model ${pct(b.model)}, histogram ${pct(b.histogram)}`),
    `  replay of the last 2 weeks vs a fixed 10:00: model ${r.model.responded}/${r.model.matched} (${pct(r.model.rate)}), 10:00 ${r.fixed.responded}/${r.fixed.matched} (${pct(r.fixed.rate)}); lift ${liftText(r)}`,
  ].join('\n');
}

/** The section as HTML (heading, chart, tables), for the demo report. */
export function renderTimingHtml(s: TimingSection): string {
  const chart = groupedBarSvg(
    { id: 'timing-hours', title: 'People per preferred local hour: hidden vs recovered', yLabel: 'people' },
    Array.from({ length: 24 }, (_, h) => String(h)),
    [
      { name: 'hidden', values: s.trueHours },
      { name: 'recovered', values: s.recoveredHours },
    ],
  );
  const row = (cells: ReadonlyArray<string>): string => `<tr>${cells.map((c, i) => `<td${i > 0 ? ' class="n"' : ''}>${escapeXml(c)}</td>`).join('')}</tr>`;
  const r = s.replay;
  return `<h2 id="timing">Timing: best moment and channel</h2>
<p>${s.people.toLocaleString('en-US')} simulated people with hidden preferred local hours (their segment's ±2 h) and channels, contacted at random hours for 8 weeks (${s.responses.toLocaleString('en-US')} responses). Learned on 6 weeks with person → segment → population shrinkage.</p>
<figure>${chart}</figure>
<table><thead><tr><th>history</th><th>people</th><th>model: hour within ±1 h</th><th>plain histogram</th></tr></thead><tbody>
${s.byHistory.map((b) => row([b.label, String(b.people), pct(b.model), pct(b.histogram)])).join('\n')}
${row(['all', String(s.people), pct(s.hourAccuracy.model), pct(s.hourAccuracy.histogram)])}
</tbody></table>
<p>Best channel (highest learned response rate) is the hidden one for ${pct(s.channelAccuracy)} of people.</p>
<table><thead><tr><th>person</th><th>zone</th><th>hidden hour</th><th>recovered</th><th>hidden channel</th><th>recovered</th></tr></thead><tbody>
${s.sample.map((p) => row([p.id, p.zone, `${p.trueHour}:00`, `${p.recovered}:00`, p.trueChannel, p.recoveredChannel])).join('\n')}
</tbody></table>
<p>Replay of the last 2 weeks (contacts sent in the hour each policy would have chosen, ±1 h): learned moments ${r.model.responded}/${r.model.matched} (${pct(r.model.rate)}), fixed 10:00 ${r.fixed.responded}/${r.fixed.matched} (${pct(r.fixed.rate)}). <b>Lift ${escapeXml(liftText(r))}</b>.</p>
`;
}

/** Inserts the section into the demo's HTML page, before `</body>`. */
export function withTimingSection(html: string, s: TimingSection): string {
  const at = html.lastIndexOf('</body>');
  return at < 0 ? html + renderTimingHtml(s) : html.slice(0, at) + renderTimingHtml(s) + html.slice(at);
}
