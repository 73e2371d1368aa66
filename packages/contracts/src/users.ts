import { z } from 'zod';
import { intFromQuery, placeOfIp } from './common.ts';
import { Role } from './session.ts';

export const UserSearchQuery = z.object({
  q: z.string().trim().max(200).optional(),
  page: intFromQuery(0, 39, 0),
  per_page: intFromQuery(1, 100, 25),
});
export type UserSearchQuery = z.infer<typeof UserSearchQuery>;

export const UserSummary = z.object({
  user_id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  picture: z.string().nullable(),
  created_at: z.string().nullable(),
  last_login: z.string().nullable(),
  logins_count: z.number(),
  blocked: z.boolean(),
  /** The console role this account holds (staff), from the tenant's roles claim; null for end users. */
  console_role: Role.nullable(),
});
export type UserSummary = z.infer<typeof UserSummary>;

export const UserSearchResult = z.object({
  users: z.array(UserSummary),
  total: z.number(),
  page: z.number(),
  per_page: z.number(),
});
export type UserSearchResult = z.infer<typeof UserSearchResult>;

export const UserDetail = UserSummary.extend({
  email_verified: z.boolean(),
  updated_at: z.string().nullable(),
  last_ip: z.string().nullable(),
  last_place: placeOfIp,
  connection: z.string().nullable(),
});
export type UserDetail = z.infer<typeof UserDetail>;

/** Auth0 pages a user's logs through the first 1,000 entries only: 40 pages of 25. */
export const HistoryQuery = z.object({ page: intFromQuery(0, 39, 0), per_page: intFromQuery(1, 25, 25) });
export type HistoryQuery = z.infer<typeof HistoryQuery>;
