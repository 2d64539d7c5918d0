// The console's frame: sign-in when there is no session; otherwise the navigation (with the
// operator's section for an operator key), the current page, and sign-out.
import { useMemo, useState } from 'react';
import { type Client, client, type Session, signOut } from './api';
import { LiveProvider, useLiveState } from './live/Live';
import { AuditPage } from './audit/AuditPage';
import { Link } from './Link';
import { CheckPage } from './check/CheckPage';
import { FindingsPage } from './findings/FindingsPage';
import { GroupPage } from './pages/GroupPage';
import { GroupsPage } from './pages/GroupsPage';
import { AccessKeysPage } from './operator/AccessKeysPage';
import { TenantPage } from './operator/TenantPage';
import { AddressGroupPage } from './address-groups/AddressGroupPage';
import { AddressGroupsPage } from './address-groups/AddressGroupsPage';
import { InstancePage } from './instances/InstancePage';
import { InstancesPage } from './instances/InstancesPage';
import { PortPage } from './instances/PortPage';
import { RegionsPage, TenantsPage } from './pages/OperatorPages';
import { ReachabilityPage } from './reachability/ReachabilityPage';
import { hrefOf, navigate, type Route, useRoute } from './router';
import { clearSession, loadSession, saveSession } from './session';
import { SignIn } from './SignIn';
import { StatusPage } from './status/StatusPage';

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const route = useRoute();
  const api = useMemo(() => (session ? client(session) : null), [session]);

  if (!session || !api)
    return (
      <SignIn
        onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );

  const leave = () => {
    // Forget the token here whatever the server answers (it may be unreachable, or the token
    // expired already); the server revokes it when it can.
    void signOut(session).catch(() => undefined);
    clearSession();
    setSession(null);
    navigate(hrefOf({ page: 'groups' }));
  };
  const operator = session.role === 'admin';
  const current = navSection(route);
  return (
    <LiveProvider api={api}>
      <a className="skip" href="#content">
        Skip to content
      </a>
      <header>
        <span className="brand">Palisade</span>
        <nav aria-label="Console">
          <ul>
            {NAV.filter((item) => operator || !item.operator).map((item) => (
              <li key={item.page}>
                <Link href={hrefOf({ page: item.page } as Route)} current={current === item.page}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <LiveBadge />
        <span className="who">{operator ? 'Operator' : `Tenant ${session.tenantId ?? ''}`}</span>
        <button type="button" onClick={leave}>
          Sign out
        </button>
      </header>
      <main id="content" tabIndex={-1}>
        <Page route={route} api={api} operator={operator} />
      </main>
    </LiveProvider>
  );
}

type ListPage = Exclude<Route, { id: string } | { page: 'not-found' }>['page'];

/** The navigation, in order; `operator`: shown to operator keys only. */
const NAV: { page: ListPage; label: string; operator?: boolean }[] = [
  { page: 'groups', label: 'Security groups' },
  { page: 'address-groups', label: 'Address groups' },
  { page: 'instances', label: 'Instances' },
  { page: 'check', label: 'Check traffic' },
  { page: 'findings', label: 'Findings' },
  { page: 'reachability', label: 'Reachability' },
  { page: 'audit', label: 'Audit log' },
  { page: 'status', label: 'Status' },
  { page: 'tenants', label: 'Tenants', operator: true },
  { page: 'regions', label: 'Regions', operator: true },
  { page: 'access-keys', label: 'Access keys', operator: true },
];

const OPERATOR_PAGES = new Set<Route['page']>(['tenants', 'tenant', 'regions', 'access-keys']);

/** The navigation entry a page belongs to (an object's page: its list's). */
function navSection(route: Route): ListPage | null {
  switch (route.page) {
    case 'group':
      return 'groups';
    case 'address-group':
      return 'address-groups';
    case 'instance':
    case 'port':
      return 'instances';
    case 'tenant':
      return 'tenants';
    case 'not-found':
      return null;
    default:
      return route.page;
  }
}

function LiveBadge() {
  const live = useLiveState();
  return (
    <span className={live ? 'live on' : 'live'} role="status" title="Following the change stream (/v1/watch)">
      {live ? 'Live' : 'Offline'}
    </span>
  );
}

function Page({ route, api, operator }: { route: Route; api: Client; operator: boolean }) {
  // The API refuses these reads to a tenant anyway; the console does not offer them.
  if (OPERATOR_PAGES.has(route.page) && !operator) return <NotFound path={hrefOf(route)} />;
  switch (route.page) {
    case 'groups':
      return <GroupsPage api={api} />;
    case 'group':
      return <GroupPage key={route.id} api={api} id={route.id} />;
    case 'check':
      return <CheckPage api={api} />;
    case 'findings':
      return <FindingsPage api={api} />;
    case 'reachability':
      return <ReachabilityPage api={api} />;
    case 'audit':
      return <AuditPage api={api} />;
    case 'status':
      return <StatusPage api={api} />;
    case 'address-groups':
      return <AddressGroupsPage api={api} />;
    case 'address-group':
      return <AddressGroupPage key={route.id} api={api} id={route.id} />;
    case 'instances':
      return <InstancesPage api={api} />;
    case 'instance':
      return <InstancePage key={route.id} api={api} id={route.id} />;
    case 'port':
      return <PortPage key={route.id} api={api} id={route.id} />;
    case 'tenants':
      return <TenantsPage api={api} />;
    case 'tenant':
      return <TenantPage key={route.id} api={api} id={route.id} />;
    case 'regions':
      return <RegionsPage api={api} />;
    case 'access-keys':
      return <AccessKeysPage api={api} />;
    default:
      return <NotFound path={hrefOf(route)} />;
  }
}

function NotFound({ path }: { path: string }) {
  return (
    <>
      <h1>Not found</h1>
      <p>
        The console has no page at <code>{path}</code>.{' '}
        <Link href={hrefOf({ page: 'groups' })}>Security groups</Link>
      </p>
    </>
  );
}
