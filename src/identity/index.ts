/**
 * `crosschannel/identity` — see docs/identity.md. Filled in by the identity issue.
 * @packageDocumentation
 */
export {};
