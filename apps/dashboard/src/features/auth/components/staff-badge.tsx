import { Button } from '../../../components/ui/button';
import { useMe } from '../api/get-me';
import { useSignOut } from '../api/sign-out';

/** Who is signed in, with what role, always visible; and sign-out. */
export function StaffBadge() {
  const { data } = useMe();
  const signOut = useSignOut();
  if (!data) return null;
  return (
    <div className="staff">
      <span className="staff-name">{data.user.name}</span>
      {/* The "Role:" is text, not an aria-label: a plain span has no role that takes a name, so screen readers skip one. */}
      <span className={`badge badge-role role-${data.user.role}`}>
        <span className="visually-hidden">Role: </span>
        {data.user.role}
      </span>
      <Button variant="ghost" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
        {signOut.isPending ? 'Signing out…' : 'Sign out'}
      </Button>
    </div>
  );
}
