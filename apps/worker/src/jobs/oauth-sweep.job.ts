import { oauthSweepJob } from '@gatehouse/contracts';
import { OAuthModelRepository, type Database } from '@gatehouse/db';
import { defineJob } from './job-definition.js';

/** Grace after expiry before a row is deleted: within it a late request still gets "expired", not "unknown". */
const GRACE_MS = 3_600_000;
/** Registered clients without any grant for this long are deleted (open registration must not pile up). */
export const UNUSED_CLIENT_MS = 30 * 86_400_000;

/** How often every worker's scheduler (one schedule per deployment: BullMQ dedupes by id) runs the sweep. */
export const OAUTH_SWEEP_EVERY_MS = 3_600_000;

export function createOAuthSweepJob(db: Database) {
  const repository = new OAuthModelRepository(db);
  return defineJob(oauthSweepJob, async () => ({
    deleted: await repository.deleteExpired(new Date(Date.now() - GRACE_MS)),
    unusedClients: await repository.deleteUnusedClients(new Date(Date.now() - UNUSED_CLIENT_MS)),
  }));
}
