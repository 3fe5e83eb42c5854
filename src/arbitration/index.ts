/**
 * `crosschannel/arbitration` — see docs/arbitration.md. Filled in by the arbitration issue.
 * @packageDocumentation
 */
export {};
