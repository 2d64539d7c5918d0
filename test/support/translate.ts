// Translations for property tests (test/core/translate.property.test.ts and the formats' test).
import fc from 'fast-check';
import type { Profile, RegionState } from '../../src/core/model.js';
import { TranslationTooLarge, translateRegion } from '../../src/core/translate/translate.js';

/**
 * A translation refused as too large (a few denies into an allow-only profile: every protocol but
 * one, times an address range's CIDR blocks) proves nothing: such inputs are skipped. The limit
 * is lower than the API's so that a refusal comes before the time goes into building the rules.
 */
export function translatedOrSkip(state: RegionState, profile: Profile) {
  try {
    return translateRegion(state, profile, 2_000);
  } catch (e) {
    if (e instanceof TranslationTooLarge) fc.pre(false);
    throw e;
  }
}
