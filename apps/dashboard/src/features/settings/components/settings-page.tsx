import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { RetryingNotice } from '../../../components/ui/retrying-notice';
import { SkeletonBlock } from '../../../components/ui/skeleton';
import { useCan } from '../../auth/api/get-me';
import { forgetStepUp, rememberForStepUp, resumeAfterStepUp } from '../../../lib/step-up';
import { useTitle } from '../../../lib/use-title';
import { settingsQuery, useUpdateSettings } from '../api/settings';

const NAME = 'Refresh Token Revocation Deletes Grant';

/** Tenant Settings > Advanced: the "Refresh Token Revocation Deletes Grant" toggle (admins only). */
export function SettingsPage() {
  useTitle('Tenant settings');
  const canChange = useCan('changeSettings');
  const settings = useQuery(settingsQuery());
  const update = useUpdateSettings();
  const [asking, setAsking] = useState(false);
  const on = settings.data?.revoke_refresh_token_grant ?? false;
  const loaded = settings.data !== undefined;
  // Back from a step-up sign-in: the same question again, if the setting still needs the change.
  // Only once the value is known; `on` changing later is this page's own doing.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the value first loads, not when `on` changes
  useEffect(() => {
    if (!loaded) return;
    const resumed = resumeAfterStepUp<{ turnOn: boolean }>('settings');
    if (!resumed) return;
    forgetStepUp();
    if (resumed.turnOn !== on) setAsking(true);
  }, [loaded]);

  return (
    <main className="page" aria-labelledby="settings-title">
      <p className="breadcrumb">Tenant Settings › Advanced</p>
      <h1 id="settings-title">Advanced settings</h1>
      <RetryingNotice query={settings} what="the tenant settings" />
      {settings.error ? (
        <ErrorNotice
          error={settings.error}
          onRetry={() => void settings.refetch()}
          title="Could not load the tenant settings"
        />
      ) : null}
      <section className="setting" aria-labelledby="rtrdg-title">
        <div>
          <h2 id="rtrdg-title">{NAME}</h2>
          <p>
            <strong>On:</strong> revoking a refresh token (through the application's <code>/oauth/revoke</code>, or by
            unlinking a device) also deletes the grant it was issued under, which revokes every refresh token of that
            user, application and API on <em>every</em> device.
          </p>
          <p>
            <strong>Off:</strong> only that one refresh token is revoked; the grant and the user's other devices keep
            working. New Auth0 tenants start with it off.
          </p>
        </div>
        {settings.isPending ? (
          <SkeletonBlock lines={1} label="Loading the setting" />
        ) : (
          <div className="toggle-row">
            <button
              type="button"
              role="switch"
              aria-checked={on}
              aria-label={NAME}
              className={`switch${on ? ' on' : ''}`}
              disabled={!canChange || update.isPending}
              onClick={() => {
                update.reset();
                setAsking(true);
              }}
            >
              <span className="knob" />
            </button>
            <span>{on ? 'On' : 'Off'}</span>
            {!canChange ? <span className="muted small">Only admins can change this.</span> : null}
          </div>
        )}
      </section>
      <ConfirmDialog
        open={asking}
        title={`Turn ${NAME} ${on ? 'off' : 'on'}?`}
        confirmLabel={on ? 'Turn off' : 'Turn on'}
        onConfirm={() => update.mutate({ revoke_refresh_token_grant: !on }, { onSuccess: () => setAsking(false) })}
        onClose={() => setAsking(false)}
        isPending={update.isPending}
        error={update.error}
        onStepUp={() => rememberForStepUp('settings', { turnOn: !on })}
      >
        <p>
          {on
            ? 'From now on, when an application revokes its refresh token (its /oauth/revoke) or you unlink a ' +
              'device, only that token is revoked. Grants, and the other devices that rely on them, stay.'
            : 'From now on, when an application revokes its refresh token (its /oauth/revoke) or you unlink a ' +
              'device, its grant is deleted too: the same application loses access on all of the user’s devices.'}
        </p>
        <p>
          {/* The tenant applies the flag to /oauth/revoke and device-credential deletion only; the
              Management API's per-token and bulk revocations never delete a grant (Auth0 does the same). */}
          It governs exactly those two: an application's <code>/oauth/revoke</code>, and unlinking a device. Revoking
          one refresh token from this console, or revoking all of a user’s tokens, never deletes a grant, whatever this
          setting.
        </p>
        <p>This applies to the whole tenant, for every application.</p>
      </ConfirmDialog>
    </main>
  );
}
