/**
 * The two functions identity uses from the optional peer libphonenumber-js, as named imports so that bundlers keep
 * only their code. Imported dynamically by `phone-lib.ts`: when the package is not installed, that import fails
 * and phone normalisation throws `DEPENDENCY_MISSING` instead of the whole module failing to load.
 */
export { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/min';
