// What `main()` prints, line by line: the example's own test and the runtimes checks (Bun, Deno)
// both hold the run to it, so the two cannot drift apart.

/** Each line exactly, or a pattern where it carries a fresh key id or a clock-dependent number. */
export const TRANSCRIPT: readonly (string | RegExp)[] = [
  /^minted lp_live_[0-9A-HJKMNP-TV-Z]{16}_…$/,
  '/v1/whoami -> 200',
  '/v1/whoami -> 200',
  '/v1/whoami -> 200',
  '/v1/whoami -> 401 UNAUTHENTICATED',
  '/v1/events -> 403 FORBIDDEN_SCOPE',
  /^minted lp_test_[0-9A-HJKMNP-TV-Z]{16}_…$/,
  '/v1/whoami -> 403 WRONG_KEY_ENVIRONMENT',
  'sandbox /v1/whoami -> 200',
  'sandbox /v1/whoami -> 403 WRONG_KEY_ENVIRONMENT',
  /^POST \/v1\/projects\/prj_1\/generate \(6th\) -> 429 RATE_LIMITED \(long-running, tier standard, Retry-After [56] s\)$/,
  /^\/v1\/whoami -> 200 \(read-light: 5[0-9] of 60 left\)$/,
  /^minted lp_live_[0-9A-HJKMNP-TV-Z]{16}_… \(tier partner\)$/,
  'partner-tier key: generate -> 202 (19 of 20 left)',
  '/v1/whoami -> 503 KILL_SWITCH (key)',
  "org_globex kills Acme's key -> 404 NOT_FOUND",
  '/v1/whoami -> 401 REVOKED',
  'audit: revoked, unkilled, killed (INC-77), minted — by ops@example.com',
];

/** The first line that differs from {@link TRANSCRIPT}, described; `null` when all match. */
export function transcriptMismatch(lines: readonly string[]): string | null {
  const count = Math.max(lines.length, TRANSCRIPT.length);
  for (let i = 0; i < count; i++) {
    const line = lines[i];
    const want = TRANSCRIPT[i];
    const same =
      line !== undefined &&
      want !== undefined &&
      (typeof want === 'string' ? line === want : want.test(line));
    if (!same) return `line ${i + 1}: got ${JSON.stringify(line)}, expected ${String(want)}`;
  }
  return null;
}
