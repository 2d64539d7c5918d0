// The groups whose rules name this one (GET /v1/security-groups/{id}/references), as links:
// they are why a delete answers GROUP_REFERENCED. Follows the region's changes, since a rule
// of another group may start or stop naming this one.
import { seg } from '../api';
import { inRegion, useChanges } from '../live/Live';
import { Link } from '../Link';
import type { GroupSectionProps } from '../pages/group-section';
import { Failure, Loading } from '../pages/Status';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';

export function References({ api, group }: GroupSectionProps) {
  const changes = useChanges(inRegion(group.regionId));
  const refs = useLoad(
    async () => {
      const answer = await api.get<{ referencedBy: string[] }>(
        `/v1/security-groups/${seg(group.id)}/references`,
      );
      // Names where the caller may read the group; the id alone otherwise.
      const named = await Promise.allSettled(answer.referencedBy.map((id) => api.group(id)));
      return answer.referencedBy.map((id, i) => {
        const got = named[i];
        return { id, name: got?.status === 'fulfilled' ? got.value.name : null };
      });
    },
    [api, group.id],
    changes,
  );
  return (
    <section aria-labelledby="references-title">
      <h2 id="references-title">Referenced by</h2>
      {refs.state === 'loading' && <Loading what="the groups referencing this one" />}
      {refs.state === 'failed' && <Failure error={refs.error} />}
      {refs.state === 'done' &&
        (refs.data.length === 0 ? (
          <p>No other group's rules name this group.</p>
        ) : (
          <ul className="references">
            {refs.data.map((r) => (
              <li key={r.id}>
                <Link href={hrefOf({ page: 'group', id: r.id })}>
                  {r.name ? `${r.name} (${r.id})` : r.id}
                </Link>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
