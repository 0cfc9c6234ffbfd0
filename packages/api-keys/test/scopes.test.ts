import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requireScopes } from '../src/index.js';

describe('requireScopes', () => {
  const key = { scopes: ['events:read', 'jobs:cancel'] };

  it('passes when the key has every required scope, or none is required', () => {
    expect(() => requireScopes(key, ['events:read'])).not.toThrow();
    expect(() => requireScopes(key, ['jobs:cancel', 'events:read'])).not.toThrow();
    expect(() => requireScopes(key, [])).not.toThrow();
  });

  it('refuses with 403 FORBIDDEN_SCOPE listing exactly what is missing, in the order asked', () => {
    expect(() => requireScopes(key, ['b:x', 'events:read', 'a:y'])).toThrow(
      expect.objectContaining({
        code: 'FORBIDDEN_SCOPE',
        status: 403,
        details: { missing: ['b:x', 'a:y'] },
      }),
    );
    // Scopes are exact strings: no prefix, case or wildcard matching.
    for (const near of ['events', 'Events:read', 'events:read ', 'events:*']) {
      expect(() => requireScopes(key, [near]), near).toThrow(
        expect.objectContaining({ code: 'FORBIDDEN_SCOPE' }),
      );
    }
  });

  it('property: passes exactly when required ⊆ scopes', () => {
    const scope = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    fc.assert(
      fc.property(fc.array(scope), fc.array(scope), (held, required) => {
        const ok = required.every((s) => held.includes(s));
        let threw = false;
        try {
          requireScopes({ scopes: held }, required);
        } catch {
          threw = true;
        }
        expect(threw).toBe(!ok);
      }),
    );
  });
});
