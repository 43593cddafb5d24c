import type { WrappedKey } from './kek.js';

// What the vault needs from persistence. Implemented by repositories in @gatehouse/db (which enforce tenant
// scoping and row-level security); the vault itself never sees a database.

export type DataKeyState = 'active' | 'decrypt_only';

export interface DataKeyRecord extends WrappedKey {
  tenantId: string;
  version: number;
  state: DataKeyState;
}

export interface DataKeyStore {
  /** The tenant's newest `active` key, if any. */
  active(tenantId: string): Promise<DataKeyRecord | null>;
  find(tenantId: string, version: number): Promise<DataKeyRecord | null>;
  /** Inserts version N as active and demotes older ones; returns null if version N already exists (a race). */
  insertActive(record: Omit<DataKeyRecord, 'state'>): Promise<DataKeyRecord | null>;
  /** Replaces the wrapping if it is still `from` (compare-and-set); false when someone else got there first. */
  rewrap(tenantId: string, version: number, from: string, to: WrappedKey): Promise<boolean>;
  /** Cross-tenant: keys wrapped with a KEK version other than `activeKekVersion` (maintenance role only). */
  listNotWrappedWith(activeKekVersion: string, limit: number): Promise<DataKeyRecord[]>;
  /** Cross-tenant: how many data keys each KEK version wraps. */
  countByKekVersion(): Promise<Record<string, number>>;
  delete(tenantId: string, version: number): Promise<void>;
  /** Crypto-shredding: removes every data key of the tenant. Returns how many were destroyed. */
  destroyAll(tenantId: string): Promise<number>;
}

export interface StoredSecret {
  owner: string;
  purpose: string;
  blob: Buffer;
  dekVersion: number;
}

export interface SecretStore {
  get(tenantId: string, owner: string, purpose: string): Promise<StoredSecret | null>;
  /**
   * Stores the secret only if `dekVersion` is still the tenant's active data key (checked under a share lock on
   * the key row, so a concurrent data-key rotation cannot miss it). False means: re-encrypt with the new key.
   */
  upsert(tenantId: string, secret: StoredSecret): Promise<boolean>;
  /** Compare-and-set replacement used by re-encryption: only if the stored blob is still `previous`. */
  replace(tenantId: string, secret: StoredSecret, previous: Buffer): Promise<boolean>;
  delete(tenantId: string, owner: string, purpose: string): Promise<boolean>;
  /** A page of the tenant's secrets sealed with `dekVersion`. */
  listByDekVersion(tenantId: string, dekVersion: number, limit: number): Promise<StoredSecret[]>;
  countByDekVersion(tenantId: string, dekVersion: number): Promise<number>;
}
