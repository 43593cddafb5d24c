-- Console accounts sign in with a password (argon2id hash, PHC string). Null for users created without one
-- (e.g. invited but not yet signed up).
ALTER TABLE "users" ADD COLUMN "password_hash" VARCHAR(255);
