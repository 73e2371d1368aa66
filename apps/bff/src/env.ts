import type { StaffSession } from './session/session-cookie.ts';

/** Hono variables of the BFF. */
export interface BffEnv {
  Variables: {
    requestId: string;
    /** The signed-in staff member, when there is one. */
    session: StaffSession | undefined;
  };
}
