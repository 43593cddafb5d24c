'use client';

import { mcpServer, type toolkitCatalog } from '@gatehouse/contracts';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import type { z } from 'zod';
import { callApi } from '@/lib/browser-api';
import { qualifiedToolName } from '@/lib/client-configs';
import { ActionButton } from './action-button';
import { useCsrf } from './csrf';
import { FormError } from './form-error';
import { useAction } from './use-action';
import { DataTable } from './listing';

type Toolkit = z.infer<typeof toolkitCatalog>['toolkits'][number];
type Server = z.infer<typeof mcpServer>;

const HINTS: [string, string][] = [
  ['readOnlyHint', 'read-only'],
  ['destructiveHint', 'destructive'],
  ['idempotentHint', 'idempotent'],
  ['openWorldHint', 'open world'],
];

function Annotations({ annotations }: { annotations: Record<string, unknown> }) {
  const shown = HINTS.filter(([key]) => annotations[key] === true);
  if (shown.length === 0) return null;
  return (
    <>
      {shown.map(([key, label]) => (
        <span key={key} className={`badge ${key === 'destructiveHint' ? 'bad' : ''}`}>
          {label}
        </span>
      ))}
    </>
  );
}

/**
 * Creates a server (`server` undefined) or changes one: which toolkits are exposed whole, which single tools, and
 * which of the exposed tools only admins see. Every tool shows the provider scopes it needs and its annotations.
 */
export function ServerEditor({ slug, toolkits, server }: { slug: string; toolkits: Toolkit[]; server?: Server }) {
  const csrf = useCsrf();
  const router = useRouter();
  const { pending, error, run } = useAction();
  const [whole, setWhole] = useState(() => new Set(server?.toolkits ?? []));
  const [saved, setSaved] = useState(false);
  // The revision the form shows: a save is made only on it (If-Match), so another admin's change is never overwritten.
  const [revision, setRevision] = useState(server?.revision);

  function toggleWhole(name: string, on: boolean) {
    const next = new Set(whole);
    if (on) next.add(name);
    else next.delete(name);
    setWhole(next);
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => ((data.get(name) as string | null) ?? '').trim();
    const selection = {
      toolkits: [...whole],
      tools: (data.getAll('tool') as string[]).filter((tool) => !whole.has(tool.split('.')[0] ?? '')),
      adminOnlyTools: data.getAll('adminOnly') as string[],
    };
    setSaved(false);
    if (server) {
      void run(
        () =>
          callApi(
            'PATCH',
            `/api/v1/tenants/${slug}/mcp-servers/${server.slug}`,
            csrf,
            { title: text('title'), description: text('description') || null, ...selection },
            mcpServer,
            revision,
          ),
        (updated) => {
          setRevision(updated.revision);
          setSaved(true);
        },
      );
    } else {
      const description = text('description');
      void run(
        () =>
          callApi(
            'POST',
            `/api/v1/tenants/${slug}/mcp-servers`,
            csrf,
            { slug: text('slug'), title: text('title'), ...(description ? { description } : {}), ...selection },
            mcpServer,
          ),
        (created) => router.push(`/t/${slug}/servers/${created.slug}`),
      );
    }
  }

  return (
    <form className="form wide" onSubmit={submit} aria-label={server ? 'Change the server' : 'Create a server'}>
      {server ? null : (
        <div className="field">
          <label htmlFor="server-slug">Slug</label>
          <input
            id="server-slug"
            name="slug"
            required
            maxLength={63}
            pattern="[a-z0-9]([a-z0-9\-]*[a-z0-9])?"
            aria-describedby="server-slug-hint"
          />
          <p className="hint" id="server-slug-hint">
            Part of the endpoint URL; lowercase letters, digits and dashes.
          </p>
        </div>
      )}
      <div className="field">
        <label htmlFor="server-title">Title</label>
        <input id="server-title" name="title" required maxLength={200} defaultValue={server?.title ?? ''} />
      </div>
      <div className="field">
        <label htmlFor="server-description">Description (optional)</label>
        <textarea
          id="server-description"
          name="description"
          maxLength={1000}
          rows={2}
          defaultValue={server?.description ?? ''}
        />
      </div>
      {toolkits.map((toolkit) => (
        <fieldset key={toolkit.name}>
          <legend>
            {toolkit.title} <code>{toolkit.name}</code>
          </legend>
          <p className="hint">{toolkit.description}</p>
          <div className="check-row">
            <input
              type="checkbox"
              id={`toolkit-${toolkit.name}`}
              checked={whole.has(toolkit.name)}
              onChange={(event) => toggleWhole(toolkit.name, event.target.checked)}
            />
            <label htmlFor={`toolkit-${toolkit.name}`}>Every tool of {toolkit.title}, including future ones</label>
          </div>
          <details
            open={
              whole.has(toolkit.name) ||
              toolkit.tools.some((tool) => server?.tools.includes(qualifiedToolName(toolkit.name, tool.name)))
            }
          >
            <summary>
              {toolkit.tools.length} tool{toolkit.tools.length === 1 ? '' : 's'}: choose single tools, see their scopes
            </summary>
            <DataTable columns={['Expose', 'Tool', 'Scopes', 'Hints', 'Admins only']}>
              {toolkit.tools.map((tool) => {
                const name = qualifiedToolName(toolkit.name, tool.name);
                const id = name.replace(/[^A-Za-z0-9_-]/g, '-');
                return (
                  <tr key={name}>
                    <td>
                      <input
                        type="checkbox"
                        id={`tool-${id}`}
                        name="tool"
                        value={name}
                        aria-label={`Expose ${name}`}
                        defaultChecked={server?.tools.includes(name) ?? false}
                        disabled={whole.has(toolkit.name)}
                      />
                    </td>
                    <td>
                      <label htmlFor={`tool-${id}`}>
                        <code>{name}</code>
                      </label>
                      <div className="hint">{tool.title ?? tool.description}</div>
                    </td>
                    <td>
                      {tool.scopes.length === 0 ? '—' : tool.scopes.map((scope) => <code key={scope}>{scope} </code>)}
                      {tool.provider ? <div className="hint">via {tool.provider}</div> : null}
                    </td>
                    <td>
                      <Annotations annotations={tool.annotations} />
                    </td>
                    <td>
                      <input
                        type="checkbox"
                        name="adminOnly"
                        value={name}
                        aria-label={`Only admins may use ${name}`}
                        defaultChecked={server?.adminOnlyTools.includes(name) ?? false}
                      />
                    </td>
                  </tr>
                );
              })}
            </DataTable>
          </details>
        </fieldset>
      ))}
      <FormError error={error} />
      {saved ? (
        <p role="status" className="badge good">
          Saved.
        </p>
      ) : null}
      <button type="submit" className="button" disabled={pending}>
        {pending ? 'Saving…' : server ? 'Save changes' : 'Create server'}
      </button>
    </form>
  );
}

export function DeleteServer({ slug, server }: { slug: string; server: string }) {
  const router = useRouter();
  return (
    <ActionButton
      className="button danger"
      confirm={`Delete the server ${server}? Clients using its endpoint stop working.`}
      call={(csrf) => callApi('DELETE', `/api/v1/tenants/${slug}/mcp-servers/${server}`, csrf)}
      onSuccess={() => router.push(`/t/${slug}/servers`)}
    >
      Delete server
    </ActionButton>
  );
}
