// Text PostgreSQL cannot store: U+0000 (text and jsonb reject it) and unpaired UTF-16
// surrogates (not Unicode at all). Client input containing either is refused up front.
export const UNSTORABLE_TEXT = /[\u0000\p{Cs}]/u; // in u-mode \p{Cs} matches only unpaired surrogates
