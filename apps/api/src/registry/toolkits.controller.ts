import { Controller, Get, Inject, UseGuards, type OnApplicationBootstrap } from '@nestjs/common';
import { ToolVersionRepository, type Database } from '@gatehouse/db';
import { TOOLKITS, toolVersionEntries } from '@gatehouse/mcp';
import { Logger } from 'nestjs-pino';
import { SessionGuard } from '../identity/session.guard.js';
import { DATABASE } from '../infrastructure/tokens.js';

/**
 * The tool catalog: what MCP servers can expose, with versions, annotations, providers, scopes and schemas — for the
 * console's server editor. At boot the api records every (tool, version) in `tool_versions`.
 */
@Controller('api/v1/toolkits')
export class ToolkitsController implements OnApplicationBootstrap {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(Logger) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const entries = toolVersionEntries();
    const { added } = await new ToolVersionRepository(this.db).sync(entries);
    this.logger.log({ tools: entries.length, added }, 'tool catalog synced');
  }

  @Get()
  @UseGuards(SessionGuard)
  list() {
    return {
      toolkits: TOOLKITS.map((toolkit) => ({
        name: toolkit.name,
        title: toolkit.title,
        description: toolkit.description,
        tools: toolkit.tools.map((tool) => ({
          name: tool.name,
          version: tool.version ?? '1',
          title: tool.title ?? null,
          description: tool.description,
          annotations: tool.annotations ?? {},
          provider: tool.provider ?? null,
          scopes: tool.scopes ?? [],
          inputSchema: tool.inputSchema,
          outputSchema: tool.outputSchema ?? null,
        })),
      })),
    };
  }
}
