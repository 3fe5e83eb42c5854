/**
 * `crosschannel/consent` — see docs/consent.md. Filled in by the consent issue.
 * @packageDocumentation
 */
export {};
