-- The tool catalog as deployed (issue 6): every tool and version any api has served, synced at boot. Platform-wide
-- (no tenant): audit records and the console refer to tools by (name, version).
CREATE TABLE "tool_versions" (
    "name" VARCHAR(128) NOT NULL,
    "version" VARCHAR(32) NOT NULL,
    "toolkit" VARCHAR(63) NOT NULL,
    -- The provider whose connection the tool uses; NULL for tools that run in the api (conformance fixtures).
    "provider" VARCHAR(63),
    "scopes" TEXT[] NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "input_schema" JSONB NOT NULL,
    "output_schema" JSONB,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "tool_versions_pkey" PRIMARY KEY ("name", "version")
);
GRANT SELECT, INSERT, UPDATE ON "tool_versions" TO gatehouse_app, gatehouse_maintenance;

SELECT gatehouse_assert_rls();
