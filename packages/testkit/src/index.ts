export { Browser } from './browser.ts';
export { endUserApp } from './end-user.ts';
export { signIn, startTestStack, type StaffClient, type StaffRole, type TestStack } from './stack.ts';
