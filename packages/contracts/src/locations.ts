import { z } from 'zod';

/**
 * What the offline IP database says about an address the console shows: the network (AS
 * number as Auth0 writes it, and its holder) and the country. Null fields where the data has
 * nothing, e.g. for private ranges.
 */
export const IpPlace = z.object({
  asn: z.string().nullable(),
  network: z.string().nullable(),
  /** ISO 3166-1 alpha-2. */
  country: z.string().nullable(),
  /** In English, e.g. "United Kingdom". */
  country_name: z.string().nullable(),
});
export type IpPlace = z.infer<typeof IpPlace>;

/** One network in one country where a user's tokens or sessions were issued or used. */
export const Location = IpPlace.extend({
  /** Stable within a response: country and AS number. */
  key: z.string(),
  /** The addresses seen there, most recent first. */
  ips: z.array(z.string()),
  first_seen_at: z.string().nullable(),
  last_seen_at: z.string().nullable(),
  device_names: z.array(z.string()),
  token_ids: z.array(z.string()),
  session_ids: z.array(z.string()),
  /**
   * What the address itself says when no data places it: "loopback address", "private
   * network", ... (RFC 6890's special-purpose ranges, as the alerts word them); null otherwise.
   */
  range: z.string().nullable().optional(),
});
export type Location = z.infer<typeof Location>;

export const LocationList = z.object({
  /** Most recently seen first. */
  locations: z.array(Location),
});
export type LocationList = z.infer<typeof LocationList>;
