/**
 * Small dependency-free SVG charts for the demo report: a multi-series line chart (contacts per day per
 * channel) and a grouped bar chart (presented / accepted per channel). Output is a standalone `<svg>` string
 * with inline styles, so the report works offline and in any browser.
 */

/** A named series of values, one per x label. */
export interface Series {
  readonly name: string;
  readonly values: ReadonlyArray<number>;
}

/** Options shared by the charts. */
export interface ChartOptions {
  readonly title: string;
  /** Machine-readable id, written as `data-chart` on the root element (tests look for it). */
  readonly id: string;
  readonly width?: number;
  readonly height?: number;
  readonly yLabel?: string;
}

/** A colour-blind-friendly palette (Okabe–Ito), cycled when there are more series. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

/** Escapes text for XML/HTML content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A "nice" axis maximum and tick step for values up to `max` (1, 2, 2.5, 5 × 10^k). */
export function niceScale(max: number, ticks = 5): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 0.2 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  return { max: Math.ceil(max / step) * step, step };
}

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** Axis numbers with thousands separators; 10,000 and above in thousands (`12.5k`). */
function fmt(n: number): string {
  if (Math.abs(n) >= 10_000) return `${NUMBER.format(n / 1000)}k`;
  return NUMBER.format(n);
}

/** Approximate width in px of a label at font-size 11 (system-ui averages ≈ 6.2 px per character). */
function labelWidth(text: string): number {
  return text.length * 6.2 + 10;
}

function frame(o: ChartOptions, w: number, h: number, body: string, legend: ReadonlyArray<string>): string {
  const step = Math.min(120, (w - 70) / Math.max(1, legend.length));
  const items = legend
    .map((name, i) => {
      const x = 60 + i * step;
      return `<g class="legend-item"><rect x="${x}" y="${h - 18}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/><text x="${x + 16}" y="${h - 8}" font-size="12">${escapeXml(name)}</text></g>`;
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" data-chart="${escapeXml(o.id)}" role="img" aria-label="${escapeXml(o.title)}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" font-family="system-ui, sans-serif">` +
    `<title>${escapeXml(o.title)}</title>` +
    `<text x="${w / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(o.title)}</text>` +
    body +
    items +
    `</svg>`
  );
}

/** Size, margins and y scale shared by both charts. */
function plotArea(o: ChartOptions, series: ReadonlyArray<Series>) {
  const w = o.width ?? 820;
  const h = o.height ?? 360;
  const left = 56;
  const top = 34;
  return { w, h, left, top, plotW: w - left - 20, plotH: h - top - 64, scale: niceScale(Math.max(0, ...series.flatMap((x) => x.values))) };
}

function axes(left: number, top: number, plotW: number, plotH: number, scale: { max: number; step: number }, yLabel?: string): string {
  let s = '';
  for (let v = 0; v <= scale.max + 1e-9; v += scale.step) {
    const y = top + plotH - (v / scale.max) * plotH;
    s += `<line x1="${left}" x2="${left + plotW}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#ddd"/>`;
    s += `<text x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#444">${fmt(v)}</text>`;
  }
  s += `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333"/>`;
  s += `<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`;
  if (yLabel) s += `<text transform="translate(14 ${top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="11" fill="#444">${escapeXml(yLabel)}</text>`;
  return s;
}

/**
 * A line chart with one polyline per series (class `series`, `data-series` = name) over shared x labels.
 *
 * @example
 * ```ts
 * lineChartSvg({ id: 'contacts', title: 'Contacts per day' }, ['d1', 'd2'], [{ name: 'email', values: [3, 5] }]);
 * ```
 */
export function lineChartSvg(o: ChartOptions, labels: ReadonlyArray<string>, series: ReadonlyArray<Series>): string {
  const { w, h, left, top, plotW, plotH, scale } = plotArea(o, series);
  const n = Math.max(1, labels.length - 1);
  const xAt = (i: number): number => left + (i / n) * plotW;
  const yAt = (v: number): number => top + plotH - (v / scale.max) * plotH;
  let body = axes(left, top, plotW, plotH, scale, o.yLabel);
  // Labels thinned so that neighbours never collide: every k-th, with k from the widest label and the spacing.
  const widest = Math.max(0, ...labels.map(labelWidth));
  const spacing = plotW / n;
  const every = Math.max(1, Math.ceil(widest / spacing));
  labels.forEach((l, i) => {
    // The last label only when it is not too close to the previous shown one.
    const shown = i % every === 0 || (i === labels.length - 1 && (i % every) * spacing >= widest);
    if (shown) body += `<text class="x-label" x="${xAt(i).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle" font-size="11" fill="#444">${escapeXml(l)}</text>`;
  });
  series.forEach((s, si) => {
    const pts = s.values.map((v, i) => `${xAt(i).toFixed(1)},${yAt(v).toFixed(1)}`).join(' ');
    const colour = PALETTE[si % PALETTE.length]!;
    body += `<polyline class="series" data-series="${escapeXml(s.name)}" fill="none" stroke="${colour}" stroke-width="2" points="${pts}"/>`;
  });
  return frame(o, w, h, body, series.map((s) => s.name));
}

/**
 * A grouped bar chart: one group per category, one bar (class `bar`) per series inside each group.
 *
 * @example
 * ```ts
 * groupedBarSvg({ id: 'offers', title: 'Offers' }, ['email', 'web'], [{ name: 'presented', values: [10, 4] }]);
 * ```
 */
export function groupedBarSvg(o: ChartOptions, categories: ReadonlyArray<string>, series: ReadonlyArray<Series>): string {
  const { w, h, left, top, plotW, plotH, scale } = plotArea(o, series);
  const groupW = plotW / Math.max(1, categories.length);
  const barW = (groupW * 0.8) / Math.max(1, series.length);
  let body = axes(left, top, plotW, plotH, scale, o.yLabel);
  categories.forEach((cat, ci) => {
    const gx = left + ci * groupW + groupW * 0.1;
    const cx = left + ci * groupW + groupW / 2;
    const cy = top + plotH + 16;
    // A label wider than its group is slanted (anchored at its end) so that neighbours never overlap.
    body += labelWidth(cat) > groupW
      ? `<text class="x-label" x="${cx.toFixed(1)}" y="${cy}" text-anchor="end" transform="rotate(-30 ${cx.toFixed(1)} ${cy})" font-size="11" fill="#444">${escapeXml(cat)}</text>`
      : `<text class="x-label" x="${cx.toFixed(1)}" y="${cy}" text-anchor="middle" font-size="11" fill="#444">${escapeXml(cat)}</text>`;
    series.forEach((s, si) => {
      const v = s.values[ci] ?? 0;
      const bh = (v / scale.max) * plotH;
      body +=
        `<rect class="bar" data-series="${escapeXml(s.name)}" data-category="${escapeXml(cat)}" x="${(gx + si * barW).toFixed(1)}" y="${(top + plotH - bh).toFixed(1)}" ` +
        `width="${Math.max(1, barW - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="${PALETTE[si % PALETTE.length]}"><title>${escapeXml(`${s.name} · ${cat}: ${fmt(v)}`)}</title></rect>`;
    });
  });
  return frame(o, w, h, body, series.map((s) => s.name));
}
