-- OpenCode's SQLite schema (drizzle, packages/opencode/src/session/session.sql.ts
-- and project.sql.ts) for the tables its reader uses, as drizzle-kit
-- generates it; the same as internal/agents/opencode/helpers_test.go.
CREATE TABLE project (
	id text PRIMARY KEY, worktree text NOT NULL, vcs text, name text,
	time_created integer NOT NULL, time_updated integer NOT NULL);
CREATE TABLE session (
	id text PRIMARY KEY,
	project_id text NOT NULL REFERENCES project(id) ON DELETE cascade,
	workspace_id text, parent_id text, slug text NOT NULL, directory text NOT NULL, path text,
	title text NOT NULL, version text NOT NULL, share_url text,
	summary_additions integer, summary_deletions integer, summary_files integer, summary_diffs text,
	cost real DEFAULT 0 NOT NULL,
	tokens_input integer DEFAULT 0 NOT NULL, tokens_output integer DEFAULT 0 NOT NULL,
	tokens_reasoning integer DEFAULT 0 NOT NULL, tokens_cache_read integer DEFAULT 0 NOT NULL,
	tokens_cache_write integer DEFAULT 0 NOT NULL,
	revert text, permission text, agent text, model text,
	time_created integer NOT NULL, time_updated integer NOT NULL,
	time_compacting integer, time_archived integer);
CREATE INDEX session_project_idx ON session (project_id);
CREATE INDEX session_parent_idx ON session (parent_id);
CREATE TABLE message (
	id text PRIMARY KEY,
	session_id text NOT NULL REFERENCES session(id) ON DELETE cascade,
	time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
CREATE INDEX message_session_time_created_id_idx ON message (session_id, time_created, id);
CREATE TABLE part (
	id text PRIMARY KEY,
	message_id text NOT NULL REFERENCES message(id) ON DELETE cascade,
	session_id text NOT NULL,
	time_created integer NOT NULL, time_updated integer NOT NULL, data text NOT NULL);
CREATE INDEX part_message_id_id_idx ON part (message_id, id);
CREATE INDEX part_session_idx ON part (session_id);
