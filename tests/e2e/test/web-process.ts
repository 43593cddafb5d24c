import { join } from 'node:path';
import { startProcess, waitFor, type RunningProcess } from '@gatehouse/testing';
import { baseEnv, httpStatus, repoRoot } from './stack.js';

export interface WebProcess {
  url: string;
  process: RunningProcess;
  stop(): Promise<void>;
}

/**
 * Starts the built console (`next start`) alone on `port`, talking to the api at `apiUrl`. `publicUrl` is where
 * browsers reach it (by default 127.0.0.1, the api's host; another host name, such as `localhost`, gives the console
 * cookies of its own, as in a deployment with separate host names).
 */
export async function startWebProcess(apiUrl: string, port: number, publicUrl?: string): Promise<WebProcess> {
  const local = `http://127.0.0.1:${port}`;
  const web = startProcess(
    'web',
    process.execPath,
    [join(repoRoot, 'apps/web/node_modules/next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'],
    {
      env: { ...baseEnv({ API_INTERNAL_URL: apiUrl, PUBLIC_API_URL: apiUrl }), NODE_ENV: 'production' },
      cwd: join(repoRoot, 'apps/web'),
    },
  );
  try {
    await waitFor('web up', async () => ((await httpStatus(`${local}/healthz`)) === 200 ? true : undefined), {
      timeoutMs: 30_000,
    });
  } catch (error) {
    await web.stop();
    throw new Error(`${(error as Error).message}\n--- web ---\n${web.output()}`);
  }
  return {
    url: publicUrl ?? local,
    process: web,
    async stop() {
      await web.stop();
    },
  };
}
