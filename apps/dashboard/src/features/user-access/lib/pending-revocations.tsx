import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

/**
 * Revocation is eventually consistent: the tenant answers at once, its listings catch up.
 * What a staff member revoked stays marked "Revoked" until the listing no longer shows it,
 * so a row never flickers back to live. Keys: `token:<id>`, `device:<name>`, `grant:<id>`,
 * `session:<id>`. A mark lapses after GIVE_UP_MS, so a stuck listing cannot hide forever.
 */
const GIVE_UP_MS = 2 * 60_000;

type Marks = Map<string, number>;
interface PendingContextValue {
  marks: Map<string, Marks>;
  mark(userId: string, keys: string[]): void;
  settle(userId: string, keys: string[]): void;
}

const PendingContext = createContext<PendingContextValue | null>(null);

export function PendingRevocationsProvider({ children }: { children: ReactNode }) {
  const [marks, setMarks] = useState(() => new Map<string, Marks>());
  const mark = useCallback((userId: string, keys: string[]) => {
    setMarks((current) => {
      const next = new Map(current);
      const user = new Map(next.get(userId) ?? []);
      for (const key of keys) user.set(key, Date.now());
      next.set(userId, user);
      return next;
    });
  }, []);
  const settle = useCallback((userId: string, keys: string[]) => {
    setMarks((current) => {
      const user = current.get(userId);
      if (!user || !keys.some((k) => user.has(k))) return current;
      const next = new Map(current);
      const remaining = new Map(user);
      for (const key of keys) remaining.delete(key);
      next.set(userId, remaining);
      return next;
    });
  }, []);
  const value = useMemo(() => ({ marks, mark, settle }), [marks, mark, settle]);
  return <PendingContext.Provider value={value}>{children}</PendingContext.Provider>;
}

export function usePendingRevocations(userId: string) {
  const context = useContext(PendingContext);
  if (!context) throw new Error('usePendingRevocations needs PendingRevocationsProvider');
  const { marks, mark, settle } = context;
  const user = marks.get(userId);
  const isPending = useCallback(
    (key: string) => {
      const since = user?.get(key);
      return since !== undefined && Date.now() - since < GIVE_UP_MS;
    },
    [user],
  );
  /** Drops the marks of a kind whose item the listing no longer shows. */
  const settleAbsent = useCallback(
    (prefix: string, presentIds: Iterable<string>) => {
      if (!user) return;
      const present = new Set([...presentIds].map((id) => `${prefix}${id}`));
      const gone = [...user.keys()].filter((key) => key.startsWith(prefix) && !present.has(key));
      if (gone.length) settle(userId, gone);
    },
    [user, settle, userId],
  );
  /** Drops the marks of these items, known to be gone (a page showed them and no longer does). */
  const settleGone = useCallback(
    (prefix: string, goneIds: Iterable<string>) => {
      const gone = [...goneIds].map((id) => `${prefix}${id}`).filter((key) => user?.has(key));
      if (gone.length) settle(userId, gone);
    },
    [user, settle, userId],
  );
  const hasPending = useCallback(
    (prefix: string) => [...(user?.keys() ?? [])].some((k) => k.startsWith(prefix) && isPending(k)),
    [user, isPending],
  );
  return { isPending, hasPending, settleAbsent, settleGone, mark: (keys: string[]) => mark(userId, keys) };
}
