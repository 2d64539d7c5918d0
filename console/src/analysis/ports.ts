// The caller's ports in a region, for the endpoint pickers of the traffic check and the
// reachability picture: GET /v1/instances (paged through its cursors) gives each port with its
// instance's name and its addresses, which the reachability answer (ids only) does not.
import { type Client, type Page, query } from '../api';

interface InstancePort {
  id: string;
  ipv4: string[];
  ipv6: string[];
  publicIpv4?: string;
  groupIds: string[];
}

interface Instance {
  id: string;
  name: string;
  ports: InstancePort[];
}

export interface PortChoice {
  id: string;
  instanceName: string;
  addresses: string[];
  groupIds: string[];
  /** How pickers and the graph name the port: its instance and first address. */
  label: string;
}

/** Pages read at most (1,000 instances each): a picker beyond that is typed, not chosen. */
const MAX_PAGES = 10;

export async function regionPorts(api: Client, regionId: string): Promise<PortChoice[]> {
  const ports: PortChoice[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await api.get<Page<Instance>>(
      `/v1/instances${query({ regionId, cursor, limit: '1000' })}`,
    );
    for (const instance of answer.items)
      for (const port of instance.ports) {
        const addresses = [...port.ipv4, ...port.ipv6, ...(port.publicIpv4 ? [port.publicIpv4] : [])];
        ports.push({
          id: port.id,
          instanceName: instance.name,
          addresses,
          groupIds: port.groupIds,
          label: addresses.length ? `${instance.name} (${addresses[0]})` : instance.name,
        });
      }
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  return ports;
}
