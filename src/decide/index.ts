/**
 * `crosschannel/decide` — see docs/decide.md. Filled in by the decide issue.
 * @packageDocumentation
 */
export {};
