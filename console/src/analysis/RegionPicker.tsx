// The region an analysis page is about: a labelled select of the caller's regions, with the
// region's profile (what its rules can say) beside each.
import type { Region } from '../api';

export function RegionPicker({
  id,
  regions,
  value,
  onChange,
}: {
  id: string;
  regions: readonly Region[];
  value: string;
  onChange: (regionId: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>Region</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {regions.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name ? `${r.name} (${r.id})` : r.id} · {r.profile}
          </option>
        ))}
      </select>
    </div>
  );
}
