// The console's frame: sign-in when there is no session; otherwise the navigation (with the
// operator's section for an operator key), the current page, and sign-out.
import { useMemo, useState } from 'react';
import { client, type Session, signOut } from './api';
import { Link } from './Link';
import { GroupPage } from './pages/GroupPage';
import { GroupsPage } from './pages/GroupsPage';
import { RegionsPage, TenantsPage } from './pages/OperatorPages';
import { hrefOf, navigate, type Route, useRoute } from './router';
import { clearSession, loadSession, saveSession } from './session';
import { SignIn } from './SignIn';

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
  const at = (page: Route['page']) => route.page === page;
  return (
    <>
      <a className="skip" href="#content">
        Skip to content
      </a>
      <header>
        <span className="brand">Palisade</span>
        <nav aria-label="Console">
          <ul>
            <li>
              <Link href={hrefOf({ page: 'groups' })} current={at('groups')}>
                Security groups
              </Link>
            </li>
            {operator && (
              <>
                <li>
                  <Link href={hrefOf({ page: 'tenants' })} current={at('tenants')}>
                    Tenants
                  </Link>
                </li>
                <li>
                  <Link href={hrefOf({ page: 'regions' })} current={at('regions')}>
                    Regions
                  </Link>
                </li>
              </>
            )}
          </ul>
        </nav>
        <span className="who">{operator ? 'Operator' : `Tenant ${session.tenantId ?? ''}`}</span>
        <button type="button" onClick={leave}>
          Sign out
        </button>
      </header>
      <main id="content" tabIndex={-1}>
        <Page route={route} api={api} operator={operator} />
      </main>
    </>
  );
}

function Page({ route, api, operator }: { route: Route; api: ReturnType<typeof client>; operator: boolean }) {
  switch (route.page) {
    case 'groups':
      return <GroupsPage api={api} />;
    case 'group':
      return <GroupPage key={route.id} api={api} id={route.id} />;
    case 'tenants':
    case 'regions':
      if (!operator) return <NotFound path={hrefOf(route)} />;
      return route.page === 'tenants' ? <TenantsPage api={api} /> : <RegionsPage api={api} />;
    case 'not-found':
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
