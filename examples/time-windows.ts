/**
 * Local calendar windows across DST: the same instant, three zones; the 23- and 25-hour days of Paris.
 * Run: npx tsx examples/time-windows.ts
 */
import { calendarWindow, localTime, toEpochMs, toIsoString, HOUR } from 'crosschannel';

const now = toEpochMs('2026-03-29T12:00:00Z');
for (const zone of ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe']) {
  const day = calendarWindow(now, 'day', zone);
  const week = calendarWindow(now, 'week', zone, { weekStartsOn: 1 });
  const lt = localTime(now, zone);
  console.log(
    `${zone.padEnd(20)} local ${String(lt.hour).padStart(2, '0')}:${String(lt.minute).padStart(2, '0')}  ` +
      `day ${toIsoString(day.start)} (${(day.end - day.start) / HOUR} h)  week from ${toIsoString(week.start)}`,
  );
}
const autumn = calendarWindow(toEpochMs('2026-10-25T12:00:00Z'), 'day', 'Europe/Paris');
console.log(`Europe/Paris on 2026-10-25 lasts ${(autumn.end - autumn.start) / HOUR} hours`);
