/**
 * `crosschannel/segments` — see docs/segments.md. Filled in by the segments issue.
 * @packageDocumentation
 */
export {};
