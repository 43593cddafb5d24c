-- Tools of a server that only its tenant's admins and owners see in tools/list and may call (`Toolkit.tool`).
ALTER TABLE "mcp_servers" ADD COLUMN "admin_only_tools" TEXT[] NOT NULL DEFAULT '{}';
