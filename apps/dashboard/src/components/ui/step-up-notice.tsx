import type { ApiError } from '../../lib/api-client';
import { currentPath, stepUpHref } from '../../lib/step-up';

/**
 * 403 step_up_required, in the dialog where the action was taken: what the BFF said (nothing
 * was changed) and the way to sign in again and come back to this dialog.
 */
export function StepUpNotice({ error, onStepUp }: { error: ApiError; onStepUp?: () => void }) {
  return (
    <div className="error-notice" role="alert" data-testid="step-up">
      <p>
        <strong>Sign in again to continue.</strong> {error.message}
      </p>
      <p>
        <a className="btn btn-primary" href={stepUpHref(currentPath())} onClick={() => onStepUp?.()}>
          Sign in again
        </a>
      </p>
    </div>
  );
}
