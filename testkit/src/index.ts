export { confirmingPreview, expectedOf } from './actions.ts';
export { Browser } from './browser.ts';
export { dpopKey, endUserApp, type DpopKey } from './end-user.ts';
export { clientCredentials, createConfidentialApp, managementCall } from './tenant-admin.ts';
export { DEMO, demoEndUser } from '@rtc/stack';
export { signIn, startTestStack, type StaffClient, type StaffRole, type TestStack } from './stack.ts';

/** A response body as JSON, for assertions (Node types `Response.json()` as unknown). */
// biome-ignore lint/suspicious/noExplicitAny: a test reads whichever fields it asserts on, and the assertion is the check
export const json = async (res: Response): Promise<any> => res.json();
