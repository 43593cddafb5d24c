import { connectRequest, type ConnectRequest } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { Card } from '@/components/card';
import { ConnectRequestButton } from '@/components/connections';
import { param, type SearchParams } from '@/lib/paths';
import { connectedProvider, connectErrorMessage } from '@/lib/connect-outcome';
import { apiGet } from '@/lib/server-api';
import { requireSession } from '@/lib/session';

export const metadata: Metadata = { title: 'Connect an account' };

interface ConnectPageProps {
  params: Promise<{ slug: string; provider: string }>;
  searchParams: SearchParams;
}

/**
 * Where an MCP client's connect link (URL elicitation, or the link in a tool error) lands: it says which client asks
 * to act for the signed-in person at which provider with which scopes, and the person decides. The provider's
 * redirect back returns here with `connected` (or `connection_error`).
 */
export default async function ConnectPage({ params, searchParams }: ConnectPageProps) {
  const { slug, provider } = await params;
  const query = await searchParams;
  const elicitation = param(query.elicitation);
  const connected = connectedProvider(param(query.connected));
  const failed = param(query.connection_error);
  const path = `/connect/${encodeURIComponent(slug)}/${encodeURIComponent(provider)}`;
  const here = elicitation ? `${path}?${new URLSearchParams({ elicitation }).toString()}` : path;
  const session = await requireSession(here);

  if (connected) {
    return (
      <Shell>
        <Card id="connect-title" level={1} title="Connected — you can return to your AI client">
          <p role="status" data-testid="connected-banner">
            Your {connected} account is connected. Go back to your AI client; it can now use the tool it asked for.
          </p>
          <p>
            <Link href={`/t/${encodeURIComponent(slug)}/connections`}>See my connections</Link>
          </p>
        </Card>
      </Shell>
    );
  }
  // Without an elicitation no client is asking: connecting is done (and scopes chosen) on My connections.
  if (!elicitation && !failed) redirect(`/t/${encodeURIComponent(slug)}/connections`);

  const request = elicitation
    ? await apiGet(
        `/api/v1/tenants/${encodeURIComponent(slug)}/connect-requests/${encodeURIComponent(elicitation)}`,
        connectRequest,
      )
    : undefined;
  return (
    <Shell>
      {failed ? (
        <p role="alert" className="error" data-testid="connection-error">
          {connectErrorMessage(failed)}
        </p>
      ) : null}
      {request === undefined ? (
        <Card id="connect-title" level={1} title="Not connected">
          <p>
            Ask your AI client to try again, or connect from{' '}
            <Link href={`/t/${encodeURIComponent(slug)}/connections`}>My connections</Link>.
          </p>
        </Card>
      ) : request.ok ? (
        <WhoIsAsking slug={slug} email={session.user.email} request={request.data} />
      ) : (
        <Card id="connect-title" level={1} title="This link cannot be used">
          <p role="alert" className="error">
            {request.message}
          </p>
        </Card>
      )}
    </Shell>
  );
}

function Shell({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="narrow">
      {children}
    </main>
  );
}

function WhoIsAsking({ slug, email, request }: { slug: string; email: string; request: ConnectRequest }) {
  const { client, provider, scopes, connection } = request;
  return (
    <Card id="connect-title" level={1} title={`Connect ${provider.name}`}>
      <p data-testid="connect-request">
        The AI client <strong data-testid="client-name">{client.name}</strong>
        {client.name === client.id ? null : (
          <>
            {' '}
            (<code>{client.id}</code>)
          </>
        )}{' '}
        asks to use tools that act for you, <strong>{email}</strong>, at <strong>{provider.name}</strong> in the tenant{' '}
        <strong>{slug}</strong>.
      </p>
      <h2 id="scopes-title">What {provider.name} will be asked to grant</h2>
      {scopes.length > 0 ? (
        <ul>
          {scopes.map((scope) => (
            <li key={scope}>
              <code>{scope}</code>
            </li>
          ))}
        </ul>
      ) : (
        <p>No particular scopes.</p>
      )}
      <p>
        The tools act with your own permissions at {provider.name}. Gatehouse keeps the tokens encrypted; they are never
        shown to {client.name} or to any AI model. You can disconnect at any time in My connections.
      </p>
      <h2 id="status-title">Your {provider.name} connection now</h2>
      <p data-testid="connection-status">
        {connection === null ? (
          'Not connected.'
        ) : connection.status === 'needs_reauth' ? (
          <>
            Connected as <strong>{connection.accountLabel}</strong>, but it <strong>stopped working</strong>; connect
            again.
          </>
        ) : (
          <>
            Connected as <strong>{connection.accountLabel}</strong> with{' '}
            {connection.scopes.length > 0 ? connection.scopes.join(', ') : 'no scopes'}.
          </>
        )}
      </p>
      {request.providerConfigured ? (
        <div className="actions">
          <ConnectRequestButton
            slug={slug}
            providerId={provider.id}
            providerName={provider.name}
            scopes={scopes}
            elicitationId={request.elicitationId}
            reconnect={connection !== null}
          />
        </div>
      ) : (
        <p role="alert" className="error">
          {provider.name} is not set up in {slug} yet. Ask an admin to configure it, then ask your AI client to try
          again.
        </p>
      )}
    </Card>
  );
}
