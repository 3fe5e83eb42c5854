/**
 * Layouts of the GPP US privacy sections (IAB Tech Lab GPP "US National" and state sections). Each core
 * segment is a 6-bit version followed by 2-bit fields (0 = not applicable, 1 = yes / opted out, 2 = no); a
 * list field is several 2-bit values. Sections marked `gpc` accept the optional GPC sub-section
 * (SubsectionType 2 bits = 1, Gpc 1 bit) after a `.`.
 */

/**
 * One field: its name and, for list fields, the number of 2-bit entries (0 for a single value).
 *
 * @example
 * ```ts
 * const [name, count]: UsField = ['sensitiveDataProcessing', 16];
 * ```
 */
export type UsField = readonly [name: string, count: number];

/**
 * A US section layout.
 *
 * @example
 * ```ts
 * const layout: UsSectionLayout | undefined = US_SECTIONS.get(7);
 * layout?.fields(2).length; // 16
 * ```
 */
export interface UsSectionLayout {
  readonly id: number;
  readonly name: string;
  readonly gpc: boolean;
  /** The highest section version whose layout is known: versions 1..`versions` are decoded, later ones kept encoded. */
  readonly versions: number;
  /**
   * The core fields after the 6-bit version, for the given version and, when decoding, the core sub-section's
   * length in bits (usnat version 1 was also written in version 2's layout: the length tells them apart).
   */
  fields(version: number, bits?: number): ReadonlyArray<UsField>;
}

const MSPA: UsField[] = [
  ['mspaCoveredTransaction', 0],
  ['mspaOptOutOptionMode', 0],
  ['mspaServiceProviderMode', 0],
];

function fixed(id: number, name: string, gpc: boolean, fields: UsField[]): UsSectionLayout {
  return { id, name, gpc, versions: 1, fields: () => fields };
}

// "Processing notice" family (FL, OR, TX, DE, NE, NH, NJ, TN, MN): notice, sale & targeted-ad notices and
// opt-outs, sensitive data list, known-child list or value, additional processing consent.
function processing(id: number, name: string, gpc: boolean, sensitive: number, child: number): UsSectionLayout {
  return fixed(id, name, gpc, [
    ['processingNotice', 0],
    ['saleOptOutNotice', 0],
    ['targetedAdvertisingOptOutNotice', 0],
    ['saleOptOut', 0],
    ['targetedAdvertisingOptOut', 0],
    ['sensitiveDataProcessing', sensitive],
    ['knownChildSensitiveDataConsents', child],
    ['additionalDataProcessingConsent', 0],
    ...MSPA,
  ]);
}

// "Sharing notice" family (VA, CO, CT, MT).
function sharing(id: number, name: string, gpc: boolean, sensitive: number, child: number, additional: boolean): UsSectionLayout {
  return fixed(id, name, gpc, [
    ['sharingNotice', 0],
    ['saleOptOutNotice', 0],
    ['targetedAdvertisingOptOutNotice', 0],
    ['saleOptOut', 0],
    ['targetedAdvertisingOptOut', 0],
    ['sensitiveDataProcessing', sensitive],
    ['knownChildSensitiveDataConsents', child],
    ...(additional ? ([['additionalDataProcessingConsent', 0]] as UsField[]) : []),
    ...MSPA,
  ]);
}

const USNAT_HEAD: UsField[] = [
  ['sharingNotice', 0],
  ['saleOptOutNotice', 0],
  ['sharingOptOutNotice', 0],
  ['targetedAdvertisingOptOutNotice', 0],
  ['sensitiveDataProcessingOptOutNotice', 0],
  ['sensitiveDataLimitUseNotice', 0],
  ['saleOptOut', 0],
  ['sharingOptOut', 0],
  ['targetedAdvertisingOptOut', 0],
];
const USNAT_V1: UsField[] = [...USNAT_HEAD, ['sensitiveDataProcessing', 12], ['knownChildSensitiveDataConsents', 2], ['personalDataConsents', 0], ...MSPA];
const USNAT_V2: UsField[] = [...USNAT_HEAD, ['sensitiveDataProcessing', 16], ['knownChildSensitiveDataConsents', 3], ['personalDataConsents', 0], ...MSPA];

/**
 * Supported US sections by id.
 *
 * @example
 * ```ts
 * US_SECTIONS.get(8)?.name; // 'usca'
 * ```
 */
export const US_SECTIONS: ReadonlyMap<number, UsSectionLayout> = new Map<number, UsSectionLayout>(
  [
    // usnat v1 had 12 sensitive-data categories and 2 known-child entries; v2 has 16 and 3. @iabgpp/cmpapi
    // 3.1.x wrote version 1 in the 16/3 layout; like cmpapi, a version 1 longer than 66 bits is read that way.
    { id: 7, name: 'usnat', gpc: true, versions: 2, fields: (v: number, bits?: number) => (v === 1 && (bits === undefined || bits <= 66) ? USNAT_V1 : USNAT_V2) },
    fixed(8, 'usca', true, [
      ['saleOptOutNotice', 0],
      ['sharingOptOutNotice', 0],
      ['sensitiveDataLimitUseNotice', 0],
      ['saleOptOut', 0],
      ['sharingOptOut', 0],
      ['sensitiveDataProcessing', 9],
      ['knownChildSensitiveDataConsents', 2],
      ['personalDataConsents', 0],
      ...MSPA,
    ]),
    sharing(9, 'usva', false, 8, 0, false),
    sharing(10, 'usco', true, 7, 0, false),
    fixed(11, 'usut', false, [
      ['sharingNotice', 0],
      ['saleOptOutNotice', 0],
      ['targetedAdvertisingOptOutNotice', 0],
      ['sensitiveDataProcessingOptOutNotice', 0],
      ['saleOptOut', 0],
      ['targetedAdvertisingOptOut', 0],
      ['sensitiveDataProcessing', 8],
      ['knownChildSensitiveDataConsents', 0],
      ...MSPA,
    ]),
    sharing(12, 'usct', true, 8, 3, false),
    processing(13, 'usfl', false, 8, 3),
    sharing(14, 'usmt', true, 8, 3, true),
    processing(15, 'usor', true, 11, 3),
    processing(16, 'ustx', true, 8, 0),
    processing(17, 'usde', true, 9, 5),
    fixed(18, 'usia', true, [
      ['processingNotice', 0],
      ['saleOptOutNotice', 0],
      ['targetedAdvertisingOptOutNotice', 0],
      ['sensitiveDataOptOutNotice', 0],
      ['saleOptOut', 0],
      ['targetedAdvertisingOptOut', 0],
      ['sensitiveDataProcessing', 8],
      ['knownChildSensitiveDataConsents', 0],
      ...MSPA,
    ]),
    processing(19, 'usne', true, 8, 0),
    processing(20, 'usnh', true, 8, 3),
    processing(21, 'usnj', true, 10, 5),
    processing(22, 'ustn', true, 8, 0),
    processing(23, 'usmn', true, 8, 0),
    // Maryland as @iabgpp/cmpapi 3.2 writes it: MspaVersion (read as the version) and the MSPA fields first, no
    // sensitive-data list. The MD specification (public comment, Oct 2025) puts a section header (SectionID 24,
    // Version, SubSections) first: its first 6 bits read 24, an unknown version, so such a string stays encoded.
    fixed(24, 'usmd', true, [
      ['mspaCoveredTransaction', 0],
      ['mspaMode', 0],
      ['processingNotice', 0],
      ['saleOptOutNotice', 0],
      ['targetedAdvertisingOptOutNotice', 0],
      ['saleOptOut', 0],
      ['targetedAdvertisingOptOut', 0],
      ['additionalDataProcessingConsent', 0],
    ]),
  ].map((l) => [l.id, l]),
);

/**
 * Names of every GPP section id registered by the GPP specification (decoded or not).
 *
 * @example
 * ```ts
 * GPP_SECTION_NAMES.get(2); // 'tcfeuv2'
 * ```
 */
export const GPP_SECTION_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'tcfeuv1'],
  [2, 'tcfeuv2'],
  [5, 'tcfcav1'],
  [6, 'uspv1'],
  ...[...US_SECTIONS.values()].map((l) => [l.id, l.name] as [number, string]),
  [25, 'usin'],
  [26, 'usky'],
  [27, 'usri'],
]);
