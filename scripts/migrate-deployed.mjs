// Entry point of the `migrate` image (infra/Dockerfile): the environment comes from the orchestrator, not .env.
import { prepareDatabase } from './lib/database.mjs';

try {
  await prepareDatabase(process.env);
} catch (error) {
  process.stderr.write(`migrate: ${error.message}\n`);
  process.exit(1);
}
