import * as z from 'zod';
import { defineProviderTool, ToolFailure, type ProviderToolkit } from '../provider-tool.js';

const note = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  createdAt: z.string(),
});

const noteId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'a note id');

/**
 * Notes at the local demo provider (`apps/demo-provider`), as the calling person: full CRUD, so every path of tool
 * execution (reads, non-idempotent writes, destructive deletes) runs offline.
 */
export const demoToolkit: ProviderToolkit = {
  name: 'demo',
  title: 'Demo notes',
  description: "Read and write the calling person's notes at the local demo provider.",
  provider: 'demo',
  apiBaseUrl: (settings) => {
    const base = settings.baseUrl;
    if (!base) throw new ToolFailure('provider_not_configured', 'The demo provider app has no baseUrl setting.');
    return base;
  },
  tools: [
    defineProviderTool({
      name: 'demo.list_notes',
      version: '1',
      title: 'List notes',
      description: 'Lists your notes at the demo provider, newest first.',
      input: z.object({}).strict(),
      output: z.object({ notes: z.array(note) }),
      annotations: { readOnlyHint: true, openWorldHint: true },
      provider: 'demo',
      scopes: ['notes:read'],
      handler: async (_input, { api }) => {
        const { json } = await api.request('GET', '/api/notes');
        return json as { notes: z.infer<typeof note>[] };
      },
    }),
    defineProviderTool({
      name: 'demo.get_note',
      version: '1',
      title: 'Read a note',
      description: 'Reads one of your notes by id.',
      input: z.object({ id: noteId }).strict(),
      output: z.object({ note }),
      annotations: { readOnlyHint: true, openWorldHint: true },
      provider: 'demo',
      scopes: ['notes:read'],
      handler: async ({ id }, { api }) => ({
        note: (await api.request('GET', `/api/notes/${id}`)).json as z.infer<typeof note>,
      }),
    }),
    defineProviderTool({
      name: 'demo.export_notes',
      version: '1',
      title: 'Export notes',
      description: 'Reads every note one by one (a longer call that reports its progress) and returns them all.',
      input: z.object({}).strict(),
      output: z.object({ notes: z.array(note), count: z.number().int() }),
      annotations: { readOnlyHint: true, openWorldHint: true },
      provider: 'demo',
      scopes: ['notes:read'],
      timeoutMs: 120_000,
      handler: async (_input, { api, progress }) => {
        const { notes } = (await api.request('GET', '/api/notes')).json as { notes: z.infer<typeof note>[] };
        const exported: z.infer<typeof note>[] = [];
        for (const [index, { id }] of notes.entries()) {
          exported.push((await api.request('GET', `/api/notes/${id}`)).json as z.infer<typeof note>);
          await progress(index + 1, notes.length, `read ${index + 1} of ${notes.length} notes`);
        }
        return { notes: exported, count: exported.length };
      },
    }),
    defineProviderTool({
      name: 'demo.create_note',
      version: '1',
      title: 'Create a note',
      description: 'Creates a note. Not idempotent: each call creates another note.',
      input: z
        .object({
          title: z.string().trim().min(1).max(200).describe('The note title'),
          body: z.string().max(10_000).default('').describe('The note text'),
        })
        .strict(),
      output: z.object({ note }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      provider: 'demo',
      scopes: ['notes:write'],
      handler: async (input, { api }) => ({
        note: (await api.request('POST', '/api/notes', { json: input })).json as z.infer<typeof note>,
      }),
    }),
    defineProviderTool({
      name: 'demo.delete_note',
      version: '1',
      title: 'Delete a note',
      description: 'Deletes one of your notes for good.',
      input: z.object({ id: noteId }).strict(),
      output: z.object({ deleted: z.literal(true), id: z.string() }),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
      provider: 'demo',
      scopes: ['notes:write'],
      handler: async ({ id }, { api }) => {
        await api.request('DELETE', `/api/notes/${id}`);
        return { deleted: true as const, id };
      },
    }),
  ],
};
