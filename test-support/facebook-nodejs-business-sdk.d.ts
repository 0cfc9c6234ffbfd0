// The Facebook Business SDK ships no types. Tests and the bench use one function of it, as the
// reference implementation of Meta's normalization; this declares just that.
declare module 'facebook-nodejs-business-sdk' {
  interface ServerSideUtilsApi {
    /** Normalizes `input` as Meta's field `field` (em, ph, ct, …) and returns its SHA-256 hex. */
    normalizeAndHash(input: string, field: string): string | null;
  }
  const sdk: { readonly ServerSideUtils: ServerSideUtilsApi };
  export default sdk;
}
