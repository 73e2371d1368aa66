import { z } from 'zod';
import { Impact } from './impact.ts';

/** The body of every error the BFF answers. */
export const ApiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    request_id: z.string().optional(),
    /** Seconds, when the answer is "try again later". */
    retry_after: z.number().optional(),
    /** Which fields were wrong, for 400s. */
    fields: z.record(z.string(), z.string()).optional(),
    /** 409 impact_changed: what the action would revoke now, to show and confirm again. */
    impact: z.lazy(() => Impact).optional(),
    /** 409 impact_changed: how that differs from what was confirmed, in sentences. */
    changes: z.array(z.string()).optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;
