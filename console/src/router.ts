// The console's pages by path under /console/: history navigation without a library. Every page
// has a path here (deep links and reloads land on it); its query string, when it has one, is the
// page's own (`useQuery`).
import { useEffect, useState } from 'react';

export const BASE = '/console';

export type Route =
  | { page: 'groups' }
  | { page: 'group'; id: string }
  | { page: 'address-groups' }
  | { page: 'address-group'; id: string }
  | { page: 'instances' }
  | { page: 'instance'; id: string }
  | { page: 'port'; id: string }
  | { page: 'check' }
  | { page: 'findings' }
  | { page: 'reachability' }
  | { page: 'audit' }
  | { page: 'status' }
  | { page: 'tenants' }
  | { page: 'tenant'; id: string }
  | { page: 'regions' }
  | { page: 'access-keys' }
  | { page: 'not-found'; path: string };

/** Pages of one fixed path each: path → page. */
const FIXED = new Map<string, Route>([
  ['', { page: 'groups' }],
  ['groups', { page: 'groups' }],
  ['address-groups', { page: 'address-groups' }],
  ['instances', { page: 'instances' }],
  ['check', { page: 'check' }],
  ['findings', { page: 'findings' }],
  ['reachability', { page: 'reachability' }],
  ['audit', { page: 'audit' }],
  ['status', { page: 'status' }],
  ['operator/tenants', { page: 'tenants' }],
  ['operator/regions', { page: 'regions' }],
  ['operator/access-keys', { page: 'access-keys' }],
]);

/** Pages of one object: the path's first part(s) → the page, the id last. */
const BY_ID = new Map<string, 'group' | 'address-group' | 'instance' | 'port' | 'tenant'>([
  ['groups', 'group'],
  ['address-groups', 'address-group'],
  ['instances', 'instance'],
  ['ports', 'port'],
  ['operator/tenants', 'tenant'],
]);

export function routeOf(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const fixed = FIXED.get(parts.join('/'));
  if (fixed) return fixed;
  const page = BY_ID.get(parts.slice(0, -1).join('/'));
  if (page && parts.length >= 2) return { page, id: parts[parts.length - 1]! };
  return { page: 'not-found', path };
}

export function hrefOf(route: Route): string {
  if (route.page === 'not-found') return `${BASE}${route.path}`;
  if ('id' in route) {
    const prefix = [...BY_ID].find(([, page]) => page === route.page)![0];
    return `${BASE}/${prefix}/${encodeURIComponent(route.id)}`;
  }
  const path = [...FIXED].find(([key, r]) => key !== '' && r.page === route.page)![0];
  return `${BASE}/${path}`;
}

/** A page's address with a query string of the parameters that are set. */
export function withQuery(href: string, params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `${href}?${text}` : href;
}

export function navigate(href: string, { replace = false } = {}): void {
  if (replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(window.location.pathname));
  useEffect(() => {
    const update = () => setRoute(routeOf(window.location.pathname));
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return route;
}

/** The current page's query parameters, following navigation. */
export function useQuery(): URLSearchParams {
  const [search, setSearch] = useState(() => window.location.search);
  useEffect(() => {
    const update = () => setSearch(window.location.search);
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return new URLSearchParams(search);
}
