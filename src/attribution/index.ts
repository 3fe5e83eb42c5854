/**
 * `crosschannel/attribution` — see docs/attribution.md. Filled in by the attribution issue.
 * @packageDocumentation
 */
export {};
