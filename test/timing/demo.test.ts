/**
 * The demo's timing section (simulated people with hidden hours and channels): deterministic, recovers the
 * hidden hours better than a plain per-person histogram, and its replay finds the learned moments better than a
 * fixed 10:00 send; the HTML report carries the recovered-vs-true chart.
 */
import { describe, expect, it } from 'vitest';
import { renderTimingText, runTimingSection, withTimingSection } from '../../examples/demo/timing-section.js';

describe('demo timing section (1,000 people)', () => {
  const section = runTimingSection({ seed: 3, people: 1_000 });

  it('is reproducible from its seed', () => {
    expect(runTimingSection({ seed: 3, people: 1_000 })).toEqual(section);
  });

  it('recovers hidden hours better than a plain histogram, and the replay shows a lift', () => {
    expect(section.hourAccuracy.model).toBeGreaterThan(section.hourAccuracy.histogram);
    expect(section.replay.lift!).toBeGreaterThan(0);
    expect(section.replay.liftInterval![0]).toBeGreaterThan(0);
    expect(section.trueHours.reduce((a, b) => a + b, 0)).toBe(1_000);
    expect(section.recoveredHours.reduce((a, b) => a + b, 0)).toBe(1_000);
    expect(renderTimingText(section)).toContain('lift');
  });

  it('adds its section to the report page', () => {
    const html = withTimingSection('<html><body><h1>x</h1></body></html>', section);
    expect(html).toContain('data-chart="timing-hours"');
    expect(html.indexOf('id="timing"')).toBeLessThan(html.indexOf('</body>'));
  });
});
