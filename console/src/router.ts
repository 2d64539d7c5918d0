// The console's pages by path under /console/: history navigation without a library.
import { useEffect, useState } from 'react';

export const BASE = '/console';

export type Route =
  | { page: 'groups' }
  | { page: 'group'; id: string }
  | { page: 'tenants' }
  | { page: 'regions' }
  | { page: 'not-found'; path: string };

export function routeOf(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'groups')) return { page: 'groups' };
  if (parts.length === 2 && parts[0] === 'groups') return { page: 'group', id: parts[1]! };
  if (parts.length === 2 && parts[0] === 'operator' && parts[1] === 'tenants') return { page: 'tenants' };
  if (parts.length === 2 && parts[0] === 'operator' && parts[1] === 'regions') return { page: 'regions' };
  return { page: 'not-found', path };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'groups':
      return `${BASE}/groups`;
    case 'group':
      return `${BASE}/groups/${encodeURIComponent(route.id)}`;
    case 'tenants':
      return `${BASE}/operator/tenants`;
    case 'regions':
      return `${BASE}/operator/regions`;
    case 'not-found':
      return `${BASE}${route.path}`;
  }
}

export function navigate(href: string): void {
  window.history.pushState(null, '', href);
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
