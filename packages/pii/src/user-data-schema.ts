import { z } from 'zod';

const text = z.string();

/**
 * The user data of one ingest event, as an SDK sends it. Every field is optional; unknown fields are
 * dropped. Values are strings of any length here: over-long or malformed values are dropped field
 * by field during hashing (and reported), so one bad field does not lose the event.
 *
 * @example
 * ```ts
 * import { userDataSchema } from '@coffer/pii';
 *
 * userDataSchema.parse({ email: 'joe@example.com', extra: 1 }); // { email: 'joe@example.com' }
 * ```
 */
export const userDataSchema: z.ZodObject<{
  email: z.ZodOptional<z.ZodString>;
  phone: z.ZodOptional<z.ZodString>;
  firstName: z.ZodOptional<z.ZodString>;
  lastName: z.ZodOptional<z.ZodString>;
  dateOfBirth: z.ZodOptional<z.ZodString>;
  gender: z.ZodOptional<z.ZodString>;
  city: z.ZodOptional<z.ZodString>;
  state: z.ZodOptional<z.ZodString>;
  zip: z.ZodOptional<z.ZodString>;
  country: z.ZodOptional<z.ZodString>;
  externalId: z.ZodOptional<z.ZodString>;
  ip: z.ZodOptional<z.ZodString>;
  userAgent: z.ZodOptional<z.ZodString>;
  deviceId: z.ZodOptional<z.ZodString>;
}> = z.object({
  /** E-mail address. */
  email: text.optional(),
  /** Phone number in any common notation. */
  phone: text.optional(),
  firstName: text.optional(),
  lastName: text.optional(),
  /**
   * Date of birth: `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD`, `YYYYMMDD`, or an ISO 8601 date-time
   * (`1990-02-28T10:00:00Z`); day-first and month-first forms are refused as ambiguous.
   */
  dateOfBirth: text.optional(),
  gender: text.optional(),
  city: text.optional(),
  state: text.optional(),
  zip: text.optional(),
  /** ISO 3166-1 alpha-2; also supplies the phone's calling code. */
  country: text.optional(),
  /** Your own id for the user (hashed like the rest). */
  externalId: text.optional(),
  /** Client IP: removed unless `keepIp` (and the platform takes it). */
  ip: text.optional(),
  /** Client user agent: sent in clear where the platform takes it. */
  userAgent: text.optional(),
  /** Mobile advertising id (IDFA/GAID): removed unless `keepDeviceId`. */
  deviceId: text.optional(),
});

/** The parsed user data. */
export type UserData = z.infer<typeof userDataSchema>;
