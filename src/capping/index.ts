/**
 * `crosschannel/capping` — see docs/capping.md. Filled in by the capping issue.
 * @packageDocumentation
 */
export {};
