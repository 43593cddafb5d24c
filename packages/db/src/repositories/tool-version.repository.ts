import type { Prisma } from '../generated/prisma/client.js';
import type { DbExecutor } from '../client.js';

export interface ToolVersionEntry {
  name: string;
  version: string;
  toolkit: string;
  provider: string | null;
  scopes: string[];
  annotations: Record<string, unknown>;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown> | null;
}

/** The deployed tool catalog (platform-wide, no row-level security: it holds no tenant data). */
export class ToolVersionRepository {
  constructor(private readonly db: DbExecutor) {}

  /** Records every entry as seen now; a new (name, version) is added, a known one refreshed. */
  async sync(entries: readonly ToolVersionEntry[]): Promise<{ added: number }> {
    let added = 0;
    const now = new Date();
    for (const entry of entries) {
      const data = {
        toolkit: entry.toolkit,
        provider: entry.provider,
        scopes: entry.scopes,
        annotations: entry.annotations as Prisma.InputJsonValue,
        inputSchema: entry.inputSchema as Prisma.InputJsonValue,
        ...(entry.outputSchema ? { outputSchema: entry.outputSchema as Prisma.InputJsonValue } : {}),
        lastSeenAt: now,
      };
      const updated = await this.db.toolVersion.updateMany({
        where: { name: entry.name, version: entry.version },
        data,
      });
      if (updated.count === 0) {
        await this.db.toolVersion.createMany({
          data: [{ name: entry.name, version: entry.version, ...data }],
          skipDuplicates: true,
        });
        added += 1;
      }
    }
    return { added };
  }

  async list(): Promise<{ name: string; version: string; toolkit: string; firstSeenAt: Date; lastSeenAt: Date }[]> {
    return this.db.toolVersion.findMany({
      select: { name: true, version: true, toolkit: true, firstSeenAt: true, lastSeenAt: true },
      orderBy: [{ name: 'asc' }, { version: 'asc' }],
    });
  }
}
