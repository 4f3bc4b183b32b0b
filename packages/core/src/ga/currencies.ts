/**
 * ISO 4217 currency codes a GA4 `currency` parameter may carry: the circulating currencies of ISO 4217
 * list one, as of November 2026. Left out on purpose: fund and unit-of-account codes (BOV, CHE, CHW, CLF, COU,
 * MXV, USN, UYI, UYW, XDR, XSU, XUA), precious metals (XAU, XAG, XPD, XPT), bond units (XBA–XBD), the
 * test and "no currency" codes (XTS, XXX) — none of them can price a purchase — and withdrawn codes (HRK →
 * EUR 2023, ANG → XCG 2025, CUC, SLL → SLE, ZWL → ZWG). BGN stays while ISO 4217 still lists it (the
 * euro replaced it on 2026-01-01). Built from ICU 78's currency list (Node 20) minus the codes above, plus VED.
 */
export const ISO_4217_CODES: ReadonlySet<string> = new Set([
  "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF", "BMD",
  "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP",
  "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP",
  "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
  "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD",
  "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN",
  "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB",
  "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL",
  "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VED", "VES",
  "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
]);

/**
 * True for an upper-case ISO 4217 code of a circulating currency.
 *
 * @example isIso4217Currency("EUR") // true
 * @example isIso4217Currency("eur") // false — Google requires upper case
 */
export function isIso4217Currency(code: string): boolean {
  return ISO_4217_CODES.has(code);
}
