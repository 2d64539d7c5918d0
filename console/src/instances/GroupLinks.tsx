// A port's groups in membership order, each a link to its group page.
import { Link } from '../Link';
import { hrefOf } from '../router';

export function GroupLinks({ ids, names }: { ids: readonly string[]; names: ReadonlyMap<string, string> }) {
  if (ids.length === 0) return <span className="muted">none</span>;
  return (
    <ol className="group-order">
      {ids.map((id) => (
        <li key={id}>
          <Link href={hrefOf({ page: 'group', id })}>{names.get(id) ?? id}</Link>
        </li>
      ))}
    </ol>
  );
}
