import { useQuery, type UseQueryOptions } from '@tanstack/react-query';
import { useEffect } from 'react';
import { pollWhile } from '../api/user-access';
import { usePendingRevocations } from './pending-revocations';

type Poll = ReturnType<typeof pollWhile>;

/**
 * A tab's listing with its "Revoked" marks: it polls while any item of its kind (`prefix`)
 * is being revoked, and drops a mark once the listing no longer shows that item.
 */
export function useRevocableList<T, K extends readonly unknown[]>(
  userId: string,
  prefix: string,
  queryFor: (userId: string, poll: Poll) => UseQueryOptions<T, Error, T, K>,
  idsOf: (data: T) => string[],
) {
  const pending = usePendingRevocations(userId);
  const query = useQuery(queryFor(userId, pollWhile(pending.hasPending(prefix))));
  const { settleAbsent } = pending;
  // The callers pass idsOf inline, a new function each render; the effect runs on new data with that render's idsOf.
  // biome-ignore lint/correctness/useExhaustiveDependencies: new data settles the marks, a new idsOf does not
  useEffect(() => {
    if (query.data) settleAbsent(prefix, idsOf(query.data));
  }, [query.data, settleAbsent, prefix]);
  return { query, isRevoking: (id: string) => pending.isPending(`${prefix}${id}`) };
}
