/**
 * `crosschannel/consent` — may we? IAB TCF v2.2/v2.3 TC strings (decode, encode, policy check against the GVL),
 * IAB GPP strings, Global Privacy Control, and a first-party channel opt-in ledger with `canContact`.
 * Guide: [docs/consent.md](../../docs/consent.md).
 * @packageDocumentation
 *
 * @document ../../docs/consent.md
 */
export { IdSet, type IdSetInput } from './tcf/bits.js';
export {
  RESTRICTION_TYPES,
  MAX_TC_STRING_LENGTH,
  type RestrictionType,
  type PublisherRestriction,
  type PublisherTc,
  type TcString,
} from './tcf/model.js';
export { decodeTcString, safeDecodeTcString } from './tcf/decode.js';
export { encodeTcString, type TcStringInput, type PublisherRestrictionInput, type PublisherTcInput, type EncodeTcStringOptions } from './tcf/encode.js';
export { gvlSchema, gvlVendorSchema, parseGvl, safeParseGvl, type Gvl, type GvlJson, type GvlVendor } from './tcf/gvl.js';
export { tcfCanProcess, type TcfBasis, type TcfCheckOptions, type TcfDecision, type TcfQuery } from './tcf/check.js';
export {
  decodeGpp,
  safeDecodeGpp,
  MAX_GPP_STRING_LENGTH,
  type DecodeGppOptions,
  type GppString,
  type GppSection,
  type GppTcfEuV2Section,
  type GppUspV1Section,
  type GppUsSection,
  type GppOtherSection,
} from './gpp/codec.js';
export { encodeGpp, gppOptOuts, type GppSectionInput, type GppOptOuts } from './gpp/encode.js';
export { US_SECTIONS, GPP_SECTION_NAMES, type UsSectionLayout, type UsField } from './gpp/sections.js';
export { readGpc, type GpcSignal, type GpcSource, type HeadersLike } from './gpc.js';
export {
  CONSENT_EVENT_KINDS,
  consentEventSchema,
  consentEvidenceSchema,
  consentPolicySchema,
  purposeSchema,
  parseConsentEvent,
  parseConsentPolicy,
  DEFAULT_CONSENT_POLICY,
  consentState,
  foldConsent,
  consentSummary,
  type ConsentEvent,
  type ConsentEventInput,
  type ConsentEventKind,
  type ConsentPolicy,
  type ConsentPolicyInput,
  type ConsentStatus,
  type ConsentBasis,
  type ChannelConsent,
  type ConsentState,
} from './ledger.js';
export { canContact, type ContactDecision, type ContactQuery } from './contact.js';
export type { ConsentErrorCode, TcfReasonCode, ContactReasonCode } from './errors.js';
export { sameConsentEvent, type ConsentStore, type ConsentErasureReceipt } from './store.js';
