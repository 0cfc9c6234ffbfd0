// Test keys, built at run time (so no file holds a string a secret scanner would take for a
// real key). Each has the shape its provider's format check accepts, and is recognisable.
export const OPENAI_KEY = `sk-proj-${'A1b2C3d4'.repeat(19)}Zq9w`;
export const OPENAI_LEGACY_KEY = `sk-${'e5F6g7H8'.repeat(6)}`;
export const ANTHROPIC_KEY = `sk-ant-api03-${'Q7r8S9t0'.repeat(11)}uVwXy${'A'.repeat(2)}`;
export const GOOGLE_KEY = `AIza${'Gg7Hh8Ii9'.repeat(3)}Jj0Kk1Ll`;
export const GOOGLE_AUTH_KEY = `AQ.Ab${'Mn4Op5Qr6'.repeat(6)}`;
export const MISTRAL_KEY = 'mIsTrAl0TeSt1KeY2aBcD3eFgH4iJkL5';
export const META_TOKEN = `EAAG${'Zz1Yy2Xx3'.repeat(20)}`;
export const META_APP_TOKEN = '1234567890|app-secret-for-tests-only';
