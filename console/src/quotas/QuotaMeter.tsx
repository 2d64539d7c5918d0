// One quota as a bar: a <meter> (its role, value and range are announced) labelled with what it
// counts, the numbers in text beside it, and a warning once the count is near the limit.
import './quotas.css';

/** From this share of the limit on, the bar warns (and the browser paints the meter amber). */
const NEAR = 0.8;

export function QuotaMeter({
  id,
  label,
  used,
  limit,
}: {
  id: string;
  label: string;
  used: number;
  /** 0: no limit. */
  limit: number;
}) {
  if (limit === 0)
    return (
      <span className="quota">
        <span id={`${id}-label`}>{label}</span>
        <span className="quota-text">{used}, no limit</span>
      </span>
    );
  const share = used / limit;
  const state = share >= 1 ? 'full' : share >= NEAR ? 'near' : 'ok';
  return (
    <span className={`quota quota-${state}`}>
      <span id={`${id}-label`}>{label}</span>{' '}
      <meter
        id={id}
        aria-labelledby={`${id}-label`}
        aria-describedby={`${id}-text`}
        min={0}
        max={limit}
        value={Math.min(used, limit)}
        // Below `low` the optimum (green), from there amber, over `high` (the limit itself) red.
        low={limit * NEAR}
        high={limit - 0.5}
        optimum={0}
      />{' '}
      <span id={`${id}-text`} className="quota-text">
        {used} of {limit}
        {state === 'full' ? ' — at the limit' : state === 'near' ? ' — near the limit' : ''}
      </span>
    </span>
  );
}
