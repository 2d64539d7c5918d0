// The region a compatible request acts in, which must be of that cloud's profile: an Alibaba
// RegionId, a Huawei project id, an OpenStack endpoint's region are all Palisade region ids.
import type { Profile } from '../core/model.js';
import type { Service } from '../control/service.js';
import type { RegionRecord } from '../control/world.js';

export function compatRegion(svc: Service, id: string, profile: Profile): RegionRecord | undefined {
  const r = svc.world.regions.get(id);
  return r && r.region.profile === profile ? r : undefined;
}
