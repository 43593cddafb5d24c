// gatehouse-admin: operator commands that need cross-tenant access (key rotation), a whole-chain walk (audit
// verification) or the queue itself (failed tool calls: inspect, replay). Run from the repository root with `pnpm gatehouse <command>` (reads .env) or, in an image,
// `node dist/cli.js <command>` in the worker image (its working directory is apps/worker).
import { ARGUMENTS_DIGEST_SECRET, argumentsDigester, AuditLog, PLATFORM_CHAIN } from '@gatehouse/audit';
import { loadConfigOrExit, toolsCommandConfigSchema, vaultCommandConfigSchema } from '@gatehouse/config';
import { auditVerifyQuery, TOOLS_QUEUE, TOOLS_QUEUE_OPTIONS, type ToolCallPayload } from '@gatehouse/contracts';
import {
  AuditRepository,
  createDatabase,
  DataKeyRepository,
  KeyCheckRepository,
  PlatformKeyRepository,
  SecretRepository,
  TenantRepository,
} from '@gatehouse/db';
import { loadKeyringOrExit, loadPlatformSecret, Vault, verifyKeyringOrExit } from '@gatehouse/vault';
import { findProviderTool } from '@gatehouse/tools';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ToolCallAdmin } from './tools/tool-admin.js';

const USAGE = `usage: gatehouse-admin <command>
  vault status               KEK versions configured, in use, and safe to retire
  vault rotate-kek           re-wrap every tenant data key with the active KEK version (online)
  vault rotate-dek <tenant>  new data key for one tenant (slug); re-encrypts its secrets in batches
  audit verify [<chain>]     verify one hash chain (a tenant's slug, "platform", or a chain id a report names, e.g. a
                             deleted tenant's), or every chain; each report's "head" is worth keeping outside the
                             database, to check later with
  audit verify <chain> --checkpoint <seq>:<hash>
                             also that the chain still holds that link unchanged (nothing removed or rewritten)
  audit digest <tenant> <tool> <json>
                             the argumentsDigest a tool.call record of the tenant holds for a call of the tool with
                             these arguments (a JSON object): to check whether a recorded call was asked with them
  tools failed [<tenant>]    failed tool calls kept for inspection, newest first (never their arguments)
  tools show <job-id>        a tool call's state and how it ended
  tools replay <job-id>      run a failed tool call again (audited as tool.replayed; it may have taken effect),
                             wait for it (up to 2 min) and record how it ended (tool.replay_finished)`;

const SYSTEM = { type: 'system' as const, id: 'gatehouse-admin' };
/** How long `tools replay` waits for the replayed call to end (a tool's own deadline is 30 s, three attempts at most). */
const REPLAY_WAIT_MS = 120_000;

async function tenantIdOf(tenants: TenantRepository, slug: string | undefined): Promise<string> {
  const tenant = slug ? await tenants.findBySlug(slug) : null;
  if (!tenant) throw new Error(slug ? `no tenant with slug "${slug}"` : 'name a tenant slug');
  return tenant.id;
}

/** `--checkpoint <seq>:<hash>` (a head an earlier verify reported), or none. */
function checkpointOption(options: string[]): { seq: number; hash: string } | undefined {
  if (options.length === 0) return undefined;
  const parsed = options[0] === '--checkpoint' ? auditVerifyQuery.safeParse({ checkpoint: options[1] }) : undefined;
  if (!parsed?.success || !parsed.data.checkpoint || options.length > 2)
    throw new Error('expected --checkpoint <seq>:<hash> (a "head" an earlier audit verify reported)');
  return parsed.data.checkpoint;
}

function usage(): number {
  process.stderr.write(`${USAGE}\n`);
  return 64;
}

function failure(error: unknown): number {
  process.stderr.write(`gatehouse-admin: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

async function main(args: string[]): Promise<number> {
  const [area, command, argument, ...options] = args;
  if (!area || !command) return usage();
  if (area === 'tools') return toolsCommand(command, argument);
  const config = loadConfigOrExit(vaultCommandConfigSchema, 'gatehouse-admin');
  const app = createDatabase({ url: config.DATABASE_URL, maxConnections: 4, applicationName: 'gatehouse-admin' });
  const maintenance = createDatabase({
    url: config.MAINTENANCE_DATABASE_URL,
    maxConnections: 2,
    applicationName: 'gatehouse-admin',
  });
  const audit = new AuditLog(new AuditRepository(app));
  const tenants = new TenantRepository(app);
  try {
    // Checked before any command uses them: rotating with a key that is not the fleet's would re-wrap every data key
    // under it.
    const keyring = loadKeyringOrExit('gatehouse-admin', config.VAULT_KEYS, config.VAULT_ACTIVE_KEY);
    if (area === 'vault' || (area === 'audit' && command === 'digest'))
      await verifyKeyringOrExit('gatehouse-admin', keyring, new KeyCheckRepository(app));
    const vault = () => new Vault(keyring, new DataKeyRepository(app, maintenance), new SecretRepository(app));
    const tenantId = (slug: string | undefined) => tenantIdOf(tenants, slug);

    if (area === 'vault' && command === 'status') {
      print(await vault().kekUsage());
      return 0;
    }
    if (area === 'vault' && command === 'rotate-kek') {
      const v = vault();
      const result = await v.rotateKek((progress) => print({ progress }));
      const usage = await v.kekUsage();
      await audit.record({
        tenantId: PLATFORM_CHAIN,
        actor: SYSTEM,
        action: 'vault.kek_rotated',
        outcome: 'success',
        metadata: { ...result, active: usage.active },
      });
      print({ rotated: result.done, ...usage });
      return 0;
    }
    if (area === 'vault' && command === 'rotate-dek') {
      const id = await tenantId(argument);
      const version = await vault().rotateDataKey(id, (progress) => print({ progress }));
      await audit.record({
        tenantId: id,
        actor: SYSTEM,
        action: 'vault.dek_rotated',
        target: { type: 'tenant', id },
        outcome: 'success',
        metadata: { version },
      });
      print({ tenant: argument, dataKeyVersion: version });
      return 0;
    }
    if (area === 'audit' && command === 'digest') {
      const id = await tenantId(argument);
      const [toolName, json, ...rest] = options;
      const found = toolName ? findProviderTool(toolName) : undefined;
      if (!found)
        throw new Error(`name a provider tool: audit digest <tenant> <tool> <json> (not "${toolName ?? ''}")`);
      let args: unknown;
      try {
        args = JSON.parse(json ?? '');
      } catch {
        args = undefined;
      }
      if (rest.length > 0 || typeof args !== 'object' || args === null || Array.isArray(args))
        throw new Error('give the arguments as one JSON object: audit digest <tenant> <tool> \'{"title":"…"}\'');
      // As the api digests them: after the tool's schema (its defaults filled in).
      const parsed = found.tool.parse(args);
      // Read only: the secret is made and re-wrapped by the api, never by an operator's command.
      const { secret } = await loadPlatformSecret(keyring, new PlatformKeyRepository(app), ARGUMENTS_DIGEST_SECRET);
      print({ tenant: argument, tool: toolName, argumentsDigest: argumentsDigester(secret)(id, parsed) });
      return 0;
    }
    if (area === 'audit' && command === 'verify') {
      if (argument?.startsWith('--')) throw new Error('name the chain first: audit verify <tenant> --checkpoint …');
      const checkpoint = checkpointOption(options);
      if (checkpoint && !argument) throw new Error('--checkpoint belongs to one chain: name its tenant');
      // One chain: a tenant's slug, `platform`, or a chain's id as a report names it (a deleted tenant's too). Else
      // every chain that has events — the platform's, each tenant's, and those of deleted tenants (kept on purpose).
      const ids = argument
        ? [
            argument === 'platform'
              ? PLATFORM_CHAIN
              : /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(argument)
                ? argument
                : await tenantId(argument),
          ]
        : [
            ...new Set([
              PLATFORM_CHAIN,
              ...(await AuditRepository.chainIds(maintenance)),
              ...(await tenants.listIds()),
            ]),
          ];
      let broken = 0;
      for (const id of ids) {
        const report = await audit.verify(id, checkpoint);
        if (!report.ok) broken += 1;
        print(report);
      }
      return broken === 0 ? 0 : 2;
    }
    return usage();
  } catch (error) {
    return failure(error);
  } finally {
    await Promise.all([app.$disconnect(), maintenance.$disconnect()]);
  }
}

async function toolsCommand(command: string, argument: string | undefined): Promise<number> {
  const config = loadConfigOrExit(toolsCommandConfigSchema, 'gatehouse-admin');
  const db = createDatabase({ url: config.DATABASE_URL, maxConnections: 2, applicationName: 'gatehouse-admin' });
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue<ToolCallPayload>(TOOLS_QUEUE, {
    connection,
    prefix: config.QUEUE_PREFIX,
    ...TOOLS_QUEUE_OPTIONS,
  });
  const tools = new ToolCallAdmin(queue, connection, config.QUEUE_PREFIX);
  try {
    if (command === 'failed') {
      const tenantId = argument ? await tenantIdOf(new TenantRepository(db), argument) : undefined;
      for (const call of await tools.failed(tenantId)) print(call);
      return 0;
    }
    if (command === 'show' && argument) {
      const call = await tools.show(argument);
      if (!call) throw new Error(`no tool call with job id "${argument}" is kept`);
      print(call);
      return 0;
    }
    if (command === 'replay' && argument) {
      const audit = new AuditLog(new AuditRepository(db));
      const call = await tools.replay(argument, async (failed) => {
        await audit.record({
          tenantId: failed.tenantId,
          actor: SYSTEM,
          action: 'tool.replayed',
          target: { type: 'tool', id: failed.tool },
          outcome: 'success',
          metadata: {
            jobId: failed.jobId,
            tool: failed.tool,
            version: failed.version,
            userId: failed.userId,
            reason: failed.reason,
          },
        });
      });
      print({ replayed: call.jobId, tool: call.tool });
      // How the replay ended, on the chain too: it is a call like any other (its answer reaches no client).
      const ended = await tools.outcome(call.jobId, call.eventsFrom, REPLAY_WAIT_MS);
      if (ended.state === 'running') {
        print({ jobId: call.jobId, state: 'running', note: 'still running; see `tools show`' });
        return 0;
      }
      const result = ended.state === 'completed' ? ended.result : undefined;
      await audit.record({
        tenantId: call.tenantId,
        actor: SYSTEM,
        action: 'tool.replay_finished',
        target: { type: 'tool', id: call.tool },
        outcome: result?.kind === 'ok' ? 'success' : 'failure',
        metadata: {
          jobId: call.jobId,
          tool: call.tool,
          version: call.version,
          userId: call.userId,
          state: ended.state,
          ...(result ? { result: result.kind } : {}),
          ...(result?.code ? { errorCode: result.code } : {}),
          ...(ended.state === 'failed' ? { reason: ended.reason } : {}),
        },
      });
      print({
        jobId: call.jobId,
        state: ended.state,
        ...(result ? { result } : {}),
        ...(ended.state === 'failed' ? { reason: ended.reason } : {}),
      });
      return 0;
    }
    return usage();
  } catch (error) {
    return failure(error);
  } finally {
    await queue.close();
    await Promise.all([connection.quit(), db.$disconnect()]);
  }
}

process.exitCode = await main(process.argv.slice(2));
