/**
 * The cap rules the timing benches plan sends inside (bench/timing.ts, and the bestSendTime curve of
 * bench/curves.ts): a weekly marketing limit, one a day, two in 48 hours, a 4-hour gap, quiet nights and a
 * 30-day cooldown after an unsubscribe, in the person's zone.
 */
export function sendCapRules(timeZone: string) {
  return {
    timeZone,
    rules: [
      { id: 'week', kind: 'limit' as const, limit: 3, window: 'week' as const, scope: { tags: 'marketing' } },
      { id: 'day', kind: 'limit' as const, limit: 1, window: 'day' as const },
      { id: 'two-days', kind: 'limit' as const, limit: 2, window: { rolling: '48h' } },
      { id: 'gap', kind: 'gap' as const, minGap: '4h' },
      { id: 'night', kind: 'quiet' as const, ranges: [{ from: '21:00', to: '08:00' }] },
      { id: 'unsubscribed', kind: 'cooldown' as const, after: ['unsubscribed' as const], duration: '30d' },
    ],
  };
}
