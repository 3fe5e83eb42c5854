/**
 * Brute-force reading of the capping spec, written independently of src/capping: every contact is checked
 * against every rule by scanning, calendar windows are computed per contact, local time per instant.
 */
import type { CapCandidate } from '../../src/capping/evaluate.js';
import type { CapRule, CapRuleSet } from '../../src/capping/rules.js';
import type { History } from '../../src/core/records.js';
import { calendarWindow, localTime, type WeekStartsOn } from '../../src/core/time.js';

type Rec = { channel: string; campaignId?: string | undefined; offerId?: string | undefined; tags: ReadonlyArray<string> };

function inScope(rule: CapRule, r: Rec): boolean {
  const s = rule.scope;
  if (s.channels && !s.channels.includes(r.channel)) return false;
  if (s.campaigns && !(r.campaignId !== undefined && s.campaigns.includes(r.campaignId))) return false;
  if (s.offers && !(r.offerId !== undefined && s.offers.includes(r.offerId))) return false;
  if (s.tags && !r.tags.some((t) => s.tags!.includes(t))) return false;
  return true;
}

function sameGroup(rule: CapRule, r: Rec, c: CapCandidate): boolean {
  if (rule.per === 'channel') return r.channel === c.channel;
  if (rule.per === 'campaign') return r.campaignId === c.campaignId;
  if (rule.per === 'offer') return r.offerId === c.offerId;
  return true;
}

function applies(rule: CapRule, c: CapCandidate): boolean {
  if (c.transactional && rule.transactional !== 'capped') return false;
  if (rule.per === 'campaign' && c.campaignId === undefined) return false;
  if (rule.per === 'offer' && c.offerId === undefined) return false;
  return inScope(rule, { ...c, tags: c.tags ?? [] });
}

/** The rules that block `c` at `t` (empty = allowed). */
export function oracleBlocking(h: History, set: CapRuleSet, c: CapCandidate, t: number, zone: string): string[] {
  const out: string[] = [];
  for (const rule of set.rules) {
    if (!applies(rule, c)) continue;
    const counted = h.contacts.filter((x) => (!x.transactional || rule.transactional !== 'exempt') && sameGroup(rule, x, c) && inScope(rule, x));
    let blocked = false;
    switch (rule.kind) {
      case 'limit': {
        const limit = (c.priority ?? 0) >= (rule.reserve?.minPriority ?? Infinity) ? rule.limit : rule.limit - (rule.reserve?.slots ?? 0);
        let n: number;
        if (rule.window.type === 'rolling') {
          const ms = rule.window.ms;
          n = counted.filter((x) => x.at > t - ms).length;
        } else {
          const unit = rule.window.unit;
          const wso = ('weekStartsOn' in rule.window ? rule.window.weekStartsOn : undefined) ?? (set.weekStartsOn as WeekStartsOn);
          const mine = calendarWindow(t, unit, zone, { weekStartsOn: wso }).start;
          n = counted.filter((x) => calendarWindow(x.at, unit, zone, { weekStartsOn: wso }).start === mine).length;
        }
        blocked = n >= limit;
        break;
      }
      case 'gap':
        blocked = counted.some((x) => Math.abs(x.at - t) < rule.minGap);
        break;
      case 'quiet': {
        const lt = localTime(t, zone);
        blocked = rule.ranges.some((r) => {
          const days = r.days ?? [0, 1, 2, 3, 4, 5, 6];
          if (r.from < r.to) return days.includes(lt.weekday) && lt.minuteOfDay >= r.from && lt.minuteOfDay < r.to;
          return (days.includes(lt.weekday) && lt.minuteOfDay >= r.from) || (days.includes((lt.weekday + 6) % 7) && lt.minuteOfDay < r.to);
        });
        break;
      }
      case 'cooldown': {
        const d = rule.duration === 'forever' ? Infinity : rule.duration;
        blocked = h.responses.some((r) => rule.after.includes(r.kind) && sameGroup(rule, r, c) && inScope(rule, r) && t < r.at + d);
        break;
      }
    }
    if (blocked) out.push(rule.id);
  }
  return out;
}
