/**
 * The demo's report: one summary object rendered twice — as readable text for the terminal and as a
 * self-contained HTML page (inline CSS and SVG, no scripts, no network) for `demo-output/report.html`.
 */
import { escapeXml, groupedBarSvg, lineChartSvg } from './charts.js';

/** Counts for one channel over the whole simulation. */
export interface ChannelSummary {
  readonly channel: string;
  /** Times the channel asked `decide`. */
  readonly asked: number;
  /** Decisions with no contact because consent did not allow the channel. */
  readonly blockedByConsent: number;
  /** Decisions with no contact because every candidate offer was capped. */
  readonly blockedByCaps: number;
  /** Decisions with no contact because no offer was eligible / applicable / unsuppressed. */
  readonly noOffer: number;
  /** Decisions that failed closed (store errors). */
  readonly failed: number;
  readonly presented: number;
  readonly accepted: number;
  readonly refused: number;
  readonly unsubscribed: number;
  /** Revenue of purchases that followed an accepted offer on this channel. */
  readonly revenue: number;
}

/** Attribution of conversions by model and channel. */
export interface AttributionSummary {
  readonly models: ReadonlyArray<string>;
  readonly channels: ReadonlyArray<string>;
  /** `credits[m][c]`: conversions credited to channel c by model m. */
  readonly credits: ReadonlyArray<ReadonlyArray<number>>;
  /** `value[m][c]`: revenue credited. */
  readonly value: ReadonlyArray<ReadonlyArray<number>>;
  readonly conversions: number;
  readonly unattributed: number;
  /** The attribution module's own SVG chart (models × channels), embedded as is. */
  readonly svg: string | null;
}

/** Everything the report shows. */
export interface DemoSummary {
  readonly seed: number;
  readonly customers: number;
  readonly days: number;
  readonly startIso: string;
  readonly elapsedMs: number;
  readonly decisions: number;
  readonly decisionsPerSecond: number;
  readonly identity: {
    /** True people behind the data (hidden truth). */
    readonly truePeople: number;
    /** Distinct raw identifier strings seen. */
    readonly rawIdentifiers: number;
    /** Profiles if every identifier were its own profile (before stitching): distinct normalised identifiers. */
    readonly profilesBefore: number;
    /** Profiles after stitching. */
    readonly profilesAfter: number;
    /** Identifiers rejected by normalisation or blocked (placeholders), by reason code. */
    readonly invalid: ReadonlyArray<{ readonly code: string; readonly count: number }>;
    /** Links refused by merge protection, by rule. */
    readonly refused: ReadonlyArray<{ readonly rule: string; readonly count: number }>;
    /** Profiles that contain identifiers of more than one true person (over-merges). */
    readonly overMerged: number;
    /** True people whose identifiers are in more than one profile (never linked: a cookie without a login, a typo). */
    readonly splitPeople: number;
  };
  readonly segments: ReadonlyArray<{ readonly id: string; readonly first: number; readonly last: number }>;
  readonly channels: ReadonlyArray<ChannelSummary>;
  readonly contactsPerDay: { readonly labels: ReadonlyArray<string>; readonly series: ReadonlyArray<{ readonly name: string; readonly values: ReadonlyArray<number> }> };
  /** Per offer; `learned` is the shared model's posterior acceptance rate at the end. */
  readonly offers: ReadonlyArray<{ readonly offerId: string; readonly presented: number; readonly accepted: number; readonly revenue: number; readonly learned: number }>;
  readonly revenue: { readonly total: number; readonly organic: number; readonly fromOffers: number };
  readonly reasons: ReadonlyArray<{ readonly code: string; readonly count: number }>;
  readonly attribution: AttributionSummary | null;
  /** One decision's trace, formatted, as an example of the explanation. */
  readonly sampleTrace: string;
}

const eur = (n: number): string => `€${Math.round(n).toLocaleString('en-US')}`;
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ONE_DECIMAL = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const one = (n: number): string => ONE_DECIMAL.format(n);
const pct = (a: number, b: number): string => (b > 0 ? `${((100 * a) / b).toFixed(1)}%` : '—');

function table(header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: ReadonlyArray<string>): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function channelRows(s: DemoSummary): string[][] {
  return s.channels.map((c) => [
    c.channel,
    int(c.asked),
    int(c.blockedByConsent),
    int(c.blockedByCaps),
    int(c.noOffer),
    int(c.presented),
    int(c.accepted),
    pct(c.accepted, c.presented),
    int(c.unsubscribed),
    eur(c.revenue),
  ]);
}
const CHANNEL_HEADER = ['channel', 'asked', 'consent ✗', 'caps ✗', 'no offer', 'presented', 'accepted', 'rate', 'unsub', 'revenue'];

/** The report as terminal text. */
export function renderText(s: DemoSummary): string {
  const out: string[] = [];
  out.push(`crosschannel demo — synthetic retailer, ${int(s.customers)} customers × ${s.days} days from ${s.startIso.slice(0, 10)} (seed ${s.seed})`);
  out.push(`${int(s.decisions)} decisions in ${(s.elapsedMs / 1000).toFixed(1)} s (${int(s.decisionsPerSecond)} decisions/s including simulation)\n`);
  const id = s.identity;
  out.push('Identity');
  out.push(`  ${int(id.truePeople)} true people · ${int(id.rawIdentifiers)} raw identifiers · ${int(id.profilesBefore)} profiles before stitching → ${int(id.profilesAfter)} after`);
  out.push(`  over-merged profiles (more than one true person): ${int(id.overMerged)} · people split over several profiles (never linked): ${int(id.splitPeople)}`);
  if (id.refused.length) out.push(`  refused merges: ${id.refused.map((r) => `${r.rule} ${int(r.count)}`).join(' · ')}`);
  if (id.invalid.length) out.push(`  rejected identifiers: ${id.invalid.map((r) => `${r.code} ${int(r.count)}`).join(' · ')}`);
  if (s.segments.length) {
    out.push('\nSegments (members on day 1 → last day)');
    out.push(table(['segment', 'day 1', 'last day'], s.segments.map((g) => [g.id, int(g.first), int(g.last)])));
  }
  out.push('\nDecisions per channel');
  out.push(table(CHANNEL_HEADER, channelRows(s)));
  out.push('\nOffers');
  out.push(table(['offer', 'presented', 'accepted', 'rate', 'learned p', 'revenue'], s.offers.map((o) => [o.offerId, int(o.presented), int(o.accepted), pct(o.accepted, o.presented), o.learned.toLocaleString('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 }), eur(o.revenue)])));
  out.push(`\nRevenue ${eur(s.revenue.total)} (organic ${eur(s.revenue.organic)}, after an accepted offer ${eur(s.revenue.fromOffers)})`);
  if (s.reasons.length) {
    out.push('\nWhy no contact (top reason codes)');
    out.push(table(['reason', 'count'], s.reasons.slice(0, 12).map((r) => [r.code, int(r.count)])));
  }
  if (s.attribution) {
    const a = s.attribution;
    out.push(`\nAttribution of ${int(a.conversions)} conversions (${int(a.unattributed)} unattributed) — conversions credited per channel`);
    out.push(table(['model', ...a.channels], a.models.map((m, i) => [m, ...a.channels.map((_, j) => one(a.credits[i]?.[j] ?? 0))])));
  }
  out.push('\nExample decision trace');
  out.push(s.sampleTrace);
  return out.join('\n');
}

/** A table in a horizontal scroll box (phones): numeric columns (all but the first) right-aligned, headers too. */
function htmlTable(header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string {
  return `<div class="scroll"><table><thead><tr>${header.map((h, i) => `<th${i > 0 ? ' class="n"' : ''}>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i > 0 ? ' class="n"' : ''}>${escapeXml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

/** The report as a self-contained HTML page with inline SVG charts. */
export function renderHtml(s: DemoSummary): string {
  const contacts = lineChartSvg(
    { id: 'contacts-per-day', title: 'Contacts per day per channel', yLabel: 'contacts' },
    s.contactsPerDay.labels,
    s.contactsPerDay.series,
  );
  const offers = groupedBarSvg(
    { id: 'offers-per-channel', title: 'Offers presented and accepted per channel', yLabel: 'offers' },
    s.channels.map((c) => c.channel),
    [
      { name: 'presented', values: s.channels.map((c) => c.presented) },
      { name: 'accepted', values: s.channels.map((c) => c.accepted) },
    ],
  );
  const blocked = groupedBarSvg(
    { id: 'blocked-per-channel', title: 'No contact per channel, by cause', yLabel: 'decisions' },
    s.channels.map((c) => c.channel),
    [
      { name: 'consent', values: s.channels.map((c) => c.blockedByConsent) },
      { name: 'caps', values: s.channels.map((c) => c.blockedByCaps) },
      { name: 'no offer', values: s.channels.map((c) => c.noOffer) },
    ],
  );
  const a = s.attribution;
  const attributionSvg = a ? (a.svg ?? groupedBarSvg({ id: 'attribution', title: 'Attribution by channel and model' }, a.channels, a.models.map((m, i) => ({ name: m, values: a.credits[i] ?? [] })))) : '';
  const id = s.identity;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>crosschannel demo report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:900px;color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.2rem .6rem;border-bottom:1px solid #eee}th{text-align:left;background:#f6f6f6}
th.n,td.n{text-align:right;font-variant-numeric:tabular-nums}figure{margin:1rem 0}svg{max-width:100%;height:auto}
.scroll{overflow-x:auto;max-width:100%}
pre{background:#f6f6f6;padding:.8rem;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}.kpi{display:flex;gap:1.5rem;flex-wrap:wrap}.kpi div{background:#f3f7fb;padding:.6rem 1rem;border-radius:6px}
.kpi b{display:block;font-size:1.3rem}
</style></head><body>
<h1>crosschannel demo — synthetic retailer</h1>
<p>${int(s.customers)} customers × ${s.days} days from ${escapeXml(s.startIso.slice(0, 10))}, seed ${s.seed}. ${int(s.decisions)} decisions in ${(s.elapsedMs / 1000).toFixed(1)} s.</p>
<section class="kpi" id="kpis">
<div><b>${int(id.profilesAfter)}</b>profiles after stitching</div>
<div><b>${int(s.channels.reduce((t, c) => t + c.presented, 0))}</b>offers presented</div>
<div><b>${int(s.channels.reduce((t, c) => t + c.accepted, 0))}</b>accepted</div>
<div><b>${eur(s.revenue.total)}</b>revenue</div>
</section>
<h2>Identity</h2>
<p>${int(id.truePeople)} true people, ${int(id.rawIdentifiers)} raw identifiers; ${int(id.profilesBefore)} profiles before stitching → <b>${int(id.profilesAfter)}</b> after. Over-merged profiles (more than one true person): ${int(id.overMerged)}; people split over several profiles (identifiers never seen together): ${int(id.splitPeople)}.</p>
${id.refused.length ? htmlTable(['refused merge (rule)', 'count'], id.refused.map((r) => [r.rule, int(r.count)])) : ''}
${id.invalid.length ? htmlTable(['rejected identifier (reason)', 'count'], id.invalid.map((r) => [r.code, int(r.count)])) : ''}
<h2>Contacts</h2>
<figure>${contacts}</figure>
${htmlTable(CHANNEL_HEADER, channelRows(s))}
<figure>${blocked}</figure>
<figure>${offers}</figure>
<h2>Offers</h2>
${htmlTable(['offer', 'presented', 'accepted', 'rate', 'learned p', 'revenue'], s.offers.map((o) => [o.offerId, int(o.presented), int(o.accepted), pct(o.accepted, o.presented), o.learned.toLocaleString('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 }), eur(o.revenue)]))}
<p>Revenue ${eur(s.revenue.total)}: organic ${eur(s.revenue.organic)}, after an accepted offer ${eur(s.revenue.fromOffers)}.</p>
${s.segments.length ? `<h2>Segments</h2>${htmlTable(['segment', 'day 1', 'last day'], s.segments.map((g) => [g.id, int(g.first), int(g.last)]))}` : ''}
<h2>Why no contact</h2>
${htmlTable(['reason code', 'count'], s.reasons.map((r) => [r.code, int(r.count)]))}
${a ? `<h2>Attribution</h2><p>${int(a.conversions)} conversions, ${int(a.unattributed)} unattributed.</p><figure id="attribution">${attributionSvg}</figure>${htmlTable(['model', ...a.channels], a.models.map((m, i) => [m, ...a.channels.map((_, j) => one(a.credits[i]?.[j] ?? 0))]))}` : ''}
<h2>Example decision trace</h2>
<pre>${escapeXml(s.sampleTrace)}</pre>
</body></html>
`;
}
