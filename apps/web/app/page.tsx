import type { DependencyCheck, SystemStatusResponse } from '@gatehouse/contracts';
import { fetchSystemStatus } from '@/lib/api-client';
import Link from 'next/link';
import { webConfig } from '@/lib/config';
import { currentSession, myTenants } from '@/lib/session';
import type { Tenant } from '@/lib/session';

// Always rendered per request: the page shows live status from the api.
export const dynamic = 'force-dynamic';

function Check({ name, check }: { name: string; check: DependencyCheck | undefined }) {
  const up = check?.status === 'up';
  return (
    <li className={`check ${up ? 'up' : 'down'}`} data-testid={`check-${name}`}>
      <span className="dot" aria-hidden="true" />
      <span className="name">{name}</span>
      <span className="state">
        {up ? `up · ${check.latencyMs} ms` : `down${check?.error ? ` · ${check.error}` : ''}`}
      </span>
    </li>
  );
}

function Worker({ worker }: { worker: SystemStatusResponse['worker'] }) {
  const age = worker.lastHeartbeatAgeSeconds;
  const text = age === null ? 'no heartbeat processed yet' : `last heartbeat ${age} s ago`;
  return (
    <li className={`check ${age !== null && age < 30 ? 'up' : 'down'}`} data-testid="check-worker">
      <span className="dot" aria-hidden="true" />
      <span className="name">worker</span>
      <span className="state">
        {text} · {worker.waitingJobs} waiting
      </span>
    </li>
  );
}

async function signedInTenants(): Promise<Tenant[] | null> {
  try {
    return (await currentSession()) ? await myTenants() : null;
  } catch {
    return null;
  }
}

function Tenants({ tenants }: { tenants: Tenant[] | null }) {
  if (tenants === null) {
    return (
      <section className="card" aria-labelledby="welcome-title">
        <h1 id="welcome-title">Welcome to Gatehouse</h1>
        <p>
          Give AI agents tools that act with each person’s own authorization. <Link href="/sign-in">Sign in</Link> or{' '}
          <Link href="/sign-up">create an account</Link> to manage your organisation.
        </p>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="tenants-title">
      <h1 id="tenants-title">Your tenants</h1>
      {tenants.length === 0 ? (
        <p className="empty">You are not a member of any tenant yet. Create one, or open an invitation link.</p>
      ) : (
        <ul className="list">
          {tenants.map((tenant) => (
            <li key={tenant.id}>
              <Link href={`/t/${tenant.slug}`}>{tenant.name}</Link> <span className="badge">{tenant.role}</span>
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link href="/tenants/new" className="button">
          Create a tenant
        </Link>
      </p>
    </section>
  );
}

export default async function HomePage() {
  const config = webConfig();
  const [result, tenants] = await Promise.all([fetchSystemStatus(config.API_INTERNAL_URL), signedInTenants()]);
  return (
    <main id="main" className="narrow stack">
      <Tenants tenants={tenants} />
      <section className="card" aria-labelledby="status-title">
        <h2 id="status-title">Platform status</h2>
        {result.ok ? (
          <>
            <p className="summary" data-testid="status-summary">
              Gatehouse {result.data.version} ({result.data.environment}) is{' '}
              <strong>{result.data.api.status === 'ready' ? 'ready' : 'not ready'}</strong>
            </p>
            <ul className="checks">
              <Check name="postgres" check={result.data.api.checks.postgres} />
              <Check name="redis" check={result.data.api.checks.redis} />
              <Worker worker={result.data.worker} />
            </ul>
            <p className="muted">
              API at <code>{config.PUBLIC_API_URL}</code> · checked{' '}
              {new Date(result.data.time).toLocaleTimeString('en-GB')}
            </p>
          </>
        ) : (
          <p role="alert" className="error" data-testid="status-error">
            {result.reason}
          </p>
        )}
      </section>
    </main>
  );
}
