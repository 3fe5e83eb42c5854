import { describe, expect, it } from 'vitest';
import { runExperimentsSection } from '../../examples/demo/experiments-section.js';

describe('demo experiments section (2,000 customers × 14 days)', () => {
  const s = runExperimentsSection({ seed: 7, customers: 2000, days: 14 });

  it('reports the holdout and the subject-line test with finite intervals and the hidden truth', () => {
    expect(s.report.rows.map((r) => `${r.experimentId}/${r.variantId}`)).toEqual(['global-2026/contacted', 'subject-line/emoji']);
    for (const r of s.report.rows) {
      for (const v of [r.estimate, r.lower, r.upper, r.sequentialLower, r.sequentialUpper]) expect(Number.isFinite(v)).toBe(true);
      expect(r.sequentialLower).toBeLessThanOrEqual(r.lower);
      expect(r.truth).toBeGreaterThan(0);
    }
    expect(s.text).toContain('global holdout');
  });

  it('renders an offline HTML page: inline SVG, no script, no external asset', () => {
    expect(s.html).toContain('<svg');
    expect(s.html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});
