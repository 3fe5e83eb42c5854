/**
 * Core: timestamp parsing and local calendar windows, against date-fns used directly (`parseISO`, and
 * `startOfDay` + `addDays` with `@date-fns/tz`) — what a service would otherwise write.
 */
import { tz } from '@date-fns/tz';
import { addDays, parseISO, startOfDay } from 'date-fns';
import { calendarWindow, toEpochMs } from '../src/core/time.js';
import { checkSame, compare } from './harness.js';

const N = 1000;
const base = Date.UTC(2026, 0, 1);
const stamps = Array.from({ length: N }, (_, i) => new Date(base + i * 7_919_000).toISOString());
const zones = ['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];

checkSame('parse', stamps.map((s) => toEpochMs(s)), stamps.map((s) => parseISO(s).getTime()));

await compare(
  `parse ${N} ISO timestamps`,
  { name: 'crosschannel toEpochMs', fn: () => stamps.map((s) => toEpochMs(s)) },
  [{ name: 'date-fns parseISO', fn: () => stamps.map((s) => parseISO(s).getTime()) }],
);

const instants = stamps.map((s) => Date.parse(s));
const ours = (): number[] => instants.map((t, i) => calendarWindow(t, 'day', zones[i % zones.length]!).end);
const peer = (): number[] =>
  instants.map((t, i) => {
    const inZone = tz(zones[i % zones.length]!);
    return startOfDay(addDays(startOfDay(t, { in: inZone }), 1, { in: inZone }), { in: inZone }).getTime();
  });
checkSame('local day', ours(), peer());
await compare(`local day window of ${N} instants in 4 zones`, { name: 'crosschannel calendarWindow', fn: ours }, [{ name: 'date-fns + @date-fns/tz', fn: peer }]);
