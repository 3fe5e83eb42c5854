import fc from 'fast-check';
import type { WeekStartsOn } from '../../src/core/time.js';

/** Zones with interesting rules: 1 h DST both hemispheres, 30-minute DST, half-hour offset, no DST, +13/+14. */
export const ZONES = [
  'UTC',
  'Europe/Paris',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'America/Sao_Paulo',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
  'America/St_Johns',
] as const;

/** DST zones the foundation issue names explicitly. */
export const DST_ZONES = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe'] as const;

/** An IANA zone from {@link ZONES}. */
export const zoneArb = fc.constantFrom(...ZONES);

/** Epoch ms between 2000-01-01 and 2040-01-01 (integer). */
export const epochMsArb = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) });

/** A day the week may start on. */
export const weekStartArb = fc.constantFrom<WeekStartsOn>(0, 1, 2, 3, 4, 5, 6);

/** A sorted list of instants inside a span, as record-like objects. */
export function sortedInstantsArb(span: { min: number; max: number }, maxLength = 50): fc.Arbitrary<number[]> {
  return fc.array(fc.integer(span), { maxLength }).map((xs) => xs.sort((a, b) => a - b));
}
