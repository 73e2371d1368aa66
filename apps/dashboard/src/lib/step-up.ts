import { ApiError } from './api-client';

/**
 * Step-up: the BFF answers 403 `step_up_required` when one of the biggest actions (a tenant
 * setting, an application's tokens, a search revocation of over 1,000 tokens) needs a more
 * recent sign-in. The person signs in again at the identity provider and comes back to the
 * same page, where the dialog reopens with what it showed (kept in this tab's sessionStorage,
 * so the binding preview is still the one confirmed against).
 */
const KEY = 'rtc:step-up';

export const isStepUpRequired = (error: unknown): error is ApiError =>
  error instanceof ApiError && error.code === 'step_up_required';

/** Where the page is now: a same-origin relative path, which is all the BFF returns to. */
export const currentPath = () => `${window.location.pathname}${window.location.search}`;

/** The sign-in that asks the identity provider for a fresh authentication, back to `returnTo`. */
export const stepUpHref = (returnTo: string) =>
  `/auth/login?step_up=1&returnTo=${encodeURIComponent(returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/')}`;

/** Keeps what a dialog showed, to reopen it after the sign-in. */
export function rememberForStepUp(dialog: string, state: unknown): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ dialog, path: currentPath(), state }));
  } catch {
    // Storage refused (private mode, quota): the person comes back to the page, without the dialog.
  }
}

/**
 * What `dialog` showed before a step-up on this very page; undefined otherwise. It stays kept
 * until forgetStepUp (call it from an effect once the dialog reopened): a state initializer
 * that read and removed it would find nothing when React runs it twice.
 */
export function resumeAfterStepUp<T>(dialog: string): T | undefined {
  let saved: { dialog?: string; path?: string; state?: T } | undefined;
  try {
    saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') ?? undefined;
  } catch {
    saved = undefined;
  }
  if (!saved || saved.dialog !== dialog || saved.path !== currentPath()) return undefined;
  return saved.state;
}

/** The dialog reopened: a later visit to the page does not reopen it again. */
export function forgetStepUp(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing kept, nothing to forget.
  }
}
