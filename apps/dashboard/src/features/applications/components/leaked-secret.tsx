import type { ApplicationSummary, LeakedSecretImpact, LeakedSecretResult, TokenCounts } from '@rtc/contracts';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Button } from '../../../components/ui/button';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { SkeletonBlock } from '../../../components/ui/skeleton';
import { ApiError } from '../../../lib/api-client';
import { countOf, summarise } from '../../../lib/summarise';
import { leakedSecretImpactQuery, useLeakedSecret } from '../api/applications';

const tokenWords = (c: TokenCounts) =>
  `${countOf(c.tokens, 'refresh token')} of ${countOf(c.users, 'user')} on ${countOf(c.devices, 'device')}`;

/** What the flow did, for the page's result region: never the secret itself. */
export function leakedSecretWords(result: Omit<LeakedSecretResult, 'client_secret'>): string {
  const revoked = result.revoked.tokens
    ? `Revoked ${tokenWords(result.revoked)} of ${result.name}`
    : `${result.name} held no live refresh token`;
  return `${revoked}${result.rotated ? '; rotated its secret: the old one is refused from now on' : '; its secret was not rotated'}.`;
}

/**
 * A leaked application secret, one guided flow for admins: the preview says what goes
 * (every refresh token of the application, its secret) and what follows, then the new secret
 * is shown once in a dialog of its own, held in this component's state only and gone when it
 * closes. `onDone` gets the result without the secret.
 */
export function LeakedSecretFlow({
  app,
  onClose,
  onDone,
}: {
  app: ApplicationSummary;
  onClose: () => void;
  onDone: (result: Omit<LeakedSecretResult, 'client_secret'>) => void;
}) {
  const [secret, setSecret] = useState<string | null>(null);
  if (secret !== null) {
    return (
      <SecretShownOnce
        name={app.name}
        secret={secret}
        onClose={() => {
          setSecret(null);
          onClose();
        }}
      />
    );
  }
  return (
    <LeakedSecretDialog
      app={app}
      onClose={onClose}
      onDone={({ client_secret, ...result }) => {
        onDone(result);
        if (client_secret) setSecret(client_secret);
        else onClose();
      }}
    />
  );
}

function LeakedSecretDialog({
  app,
  onClose,
  onDone,
}: {
  app: ApplicationSummary;
  onClose: () => void;
  onDone: (result: LeakedSecretResult) => void;
}) {
  const impact = useQuery(leakedSecretImpactQuery(app.client_id));
  const leak = useLeakedSecret(app.client_id);
  const [rotate, setRotate] = useState(true);
  const [changed, setChanged] = useState<string | null>(null);
  const rotateId = useId();
  const preview = impact.isFetching ? undefined : impact.data;
  const mayRotate = !!preview && preview.has_secret && preview.console_client !== 'management';
  const rotating = rotate && mayRotate;
  const conflict = leak.error instanceof ApiError && leak.error.status === 409;
  const label = rotating
    ? preview!.counts.tokens > 0
      ? 'Revoke tokens and rotate secret'
      : 'Rotate secret'
    : 'Revoke all tokens';
  return (
    <ConfirmDialog
      open
      title={`Leaked secret of ${app.name}`}
      confirmLabel={changed ? `${label} now` : label}
      confirmWord={app.name}
      ready={!!preview && (rotating || preview.counts.tokens > 0)}
      isPending={leak.isPending}
      error={conflict ? undefined : (leak.error ?? undefined)}
      restoreFocus={false}
      onClose={onClose}
      onConfirm={() => {
        if (!preview) return;
        setChanged(null);
        leak.mutate(
          {
            confirm_name: preview.name,
            expected: { ...preview.counts, issued_through: preview.issued_through },
            rotate: rotating,
          },
          {
            onSuccess: (result) => {
              // The secret moves to the next dialog's state; the mutation forgets it at once.
              leak.reset();
              onDone(result);
            },
            onError: (err) => {
              if (err instanceof ApiError && err.status === 409) {
                setChanged(err.message);
                void impact.refetch();
              }
            },
          },
        );
      }}
    >
      {changed ? (
        <div className="callout callout-warn" role="alert" data-testid="impact-changed">
          <p>
            <strong>
              The tokens of {app.name} changed since you opened this; nothing was revoked and the secret was not
              rotated.
            </strong>
          </p>
          <p>{changed}</p>
          <p>Check what it does now, then confirm again.</p>
        </div>
      ) : null}
      {preview ? (
        <div className="impact" data-testid="impact">
          <LeakConsequences preview={preview} rotating={rotating} />
          {mayRotate ? (
            <div className="field-inline">
              <input
                id={rotateId}
                type="checkbox"
                checked={rotate}
                onChange={(e) => setRotate(e.target.checked)}
                disabled={leak.isPending}
              />
              <label htmlFor={rotateId}>Also rotate the secret</label>
            </div>
          ) : null}
          <p className="muted small">
            If a token is issued or revoked before you confirm, nothing is done and the new preview is shown.
          </p>
        </div>
      ) : impact.error ? (
        <ErrorNotice error={impact.error} onRetry={() => void impact.refetch()} title="Could not preview this" />
      ) : (
        <SkeletonBlock lines={3} label="Working out what this will revoke" />
      )}
    </ConfirmDialog>
  );
}

/** Every consequence in words: the tokens, the secret, and the console's own applications. */
function LeakConsequences({ preview, rotating }: { preview: LeakedSecretImpact; rotating: boolean }) {
  const users = preview.first_users.map((u) => u.email ?? u.user_id);
  return (
    <>
      {preview.counts.tokens > 0 ? (
        <p>
          This revokes <strong>{tokenWords(preview.counts)}</strong> of {preview.name}, at once: every user of it must
          sign in again.{' '}
          {users.length > 0 ? `Users affected: ${summarise(users, 'user', { total: preview.counts.users })}.` : ''}
        </p>
      ) : (
        <p>{preview.name} holds no live refresh token: there is none to revoke.</p>
      )}
      {preview.console_client === 'sign_in' ? (
        <p className="callout callout-warn" role="alert" data-testid="console-warning">
          This is the console&apos;s own sign-in application. Revoking its tokens signs every staff member out, you
          included, at their session&apos;s next check (within 15 minutes).
          {rotating
            ? ' Rotating its secret stops the console from signing anyone in until OIDC_CLIENT_SECRET is set to the new secret and the console restarted.'
            : ''}
        </p>
      ) : null}
      {preview.console_client === 'management' ? (
        <p className="callout callout-warn" role="alert">
          This is the console&apos;s own Management API application: rotating its secret from here would cut the console
          off from the tenant. Rotate it at the tenant, then set MANAGEMENT_CLIENT_SECRET and restart the console.
        </p>
      ) : null}
      {!preview.has_secret ? (
        <p>{preview.name} is a public client: it has no secret to rotate. Only its tokens are revoked.</p>
      ) : rotating ? (
        <p>
          Then its secret is rotated: the old one is refused at the tenant from that moment, for every call
          (refresh-token exchanges, client credentials, sign-ins). Every server using it needs the new secret,{' '}
          <strong>shown once</strong> after you confirm: copy it then.
        </p>
      ) : preview.console_client !== 'management' ? (
        <p className="callout callout-warn">
          The secret is not rotated: whoever holds the leaked secret can still use it.
        </p>
      ) : null}
    </>
  );
}

/** The new secret, once: selectable, copyable, and gone from the page when this closes. */
function SecretShownOnce({ name, secret, onClose }: { name: string; secret: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [copied, setCopied] = useState(false);
  const titleId = useId();
  const inputId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    dialog.addEventListener('close', onClose);
    return () => dialog.removeEventListener('close', onClose);
  }, [onClose]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId}>
      <h2 id={titleId}>New secret of {name}</h2>
      <p>
        The old secret is refused from now on. This is the only time the new one is shown: the console does not keep it
        and the tenant stores only its hash. Put it in every server that calls the tenant as {name}.
      </p>
      <div className="field">
        <label htmlFor={inputId}>New client secret</label>
        <input
          id={inputId}
          readOnly
          value={secret}
          spellCheck={false}
          autoComplete="off"
          onFocus={(e) => e.currentTarget.select()}
        />
      </div>
      <p>
        <Button
          onClick={() => {
            void navigator.clipboard?.writeText(secret).then(() => setCopied(true));
          }}
        >
          Copy the secret
        </Button>{' '}
        <span role="status">{copied ? 'Copied.' : ''}</span>
      </p>
      <div className="dialog-actions">
        <Button variant="primary" onClick={() => ref.current?.close()}>
          I have it: close
        </Button>
      </div>
    </dialog>
  );
}
