import { MigrationInterface, QueryRunner } from 'typeorm';

/** Users with their role and scope, the append-only audit trail, and shared rate-limit counters. */
export class IdentityAndAudit1764310000000 implements MigrationInterface {
  name = 'IdentityAndAudit1764310000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE app_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
        role text NOT NULL CHECK (role IN ('SENCO', 'PANEL', 'PROVIDER', 'CASEWORKER', 'MANAGER', 'ADMIN')),
        school_id uuid CONSTRAINT app_user_school_fk REFERENCES school (id),
        locality_id uuid CONSTRAINT app_user_locality_fk REFERENCES locality (id),
        area text CHECK (length(area) BETWEEN 1 AND 60),
        organisation_id uuid CONSTRAINT app_user_organisation_fk REFERENCES organisation (id),
        active boolean NOT NULL DEFAULT true,
        password_hash text NOT NULL,
        must_change_password boolean NOT NULL DEFAULT false,
        password_changed_at timestamptz NOT NULL DEFAULT now(),
        failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
        locked_until timestamptz,
        -- Bumped when a password changes or the account is deactivated: older tokens stop working.
        token_version integer NOT NULL DEFAULT 1,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- Each role carries exactly the scope API.md's roles table gives it.
        CONSTRAINT app_user_scope CHECK (
          CASE role
            WHEN 'SENCO' THEN school_id IS NOT NULL AND locality_id IS NULL AND area IS NULL AND organisation_id IS NULL
            WHEN 'PANEL' THEN locality_id IS NOT NULL AND school_id IS NULL AND area IS NULL AND organisation_id IS NULL
            WHEN 'PROVIDER' THEN organisation_id IS NOT NULL AND school_id IS NULL AND locality_id IS NULL AND area IS NULL
            WHEN 'CASEWORKER' THEN school_id IS NULL AND organisation_id IS NULL AND NOT (locality_id IS NOT NULL AND area IS NOT NULL)
            WHEN 'MANAGER' THEN school_id IS NULL AND organisation_id IS NULL AND NOT (locality_id IS NOT NULL AND area IS NOT NULL)
            ELSE school_id IS NULL AND locality_id IS NULL AND area IS NULL AND organisation_id IS NULL
          END)
      )`);
    await db.query(`CREATE UNIQUE INDEX app_user_email_unique ON app_user (lower(email))`);
    await db.query(`CREATE INDEX app_user_name_idx ON app_user (name, id)`);
    await db.query(`CREATE INDEX app_user_role_idx ON app_user (role)`);

    await db.query(`
      CREATE TABLE audit_event (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- Millisecond precision: the API's cursors and timestamps carry milliseconds.
        at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
        actor_id uuid,
        actor_email text,
        actor_role text,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id uuid,
        -- Names of the fields changed, never their values for free text or personal data.
        changed_fields text[] NOT NULL DEFAULT '{}',
        outcome text NOT NULL DEFAULT 'SUCCESS' CHECK (outcome IN ('SUCCESS', 'FAILURE')),
        request_id text,
        ip text,
        -- Where the record sits, so a manager's view of the trail is a WHERE clause.
        school_id uuid,
        locality_id uuid,
        area text,
        organisation_id uuid,
        -- The child the record is about, so a pupil's access log is one indexed lookup.
        pupil_id uuid
      )`);
    await db.query(`CREATE INDEX audit_event_at_idx ON audit_event (at DESC, id DESC)`);
    await db.query(`CREATE INDEX audit_event_entity_idx ON audit_event (entity_type, entity_id, at DESC)`);
    await db.query(`CREATE INDEX audit_event_actor_idx ON audit_event (actor_id, at DESC)`);
    await db.query(`CREATE INDEX audit_event_locality_idx ON audit_event (locality_id, at DESC)`);
    await db.query(`CREATE INDEX audit_event_pupil_idx ON audit_event (pupil_id, at DESC, id DESC) WHERE pupil_id IS NOT NULL`);
    // Append-only, whatever the application does.
    await db.query(`
      CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_event_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()`);
    await db.query(`
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()`);

    await db.query(`
      CREATE TABLE rate_limit (
        key text NOT NULL,
        window_start timestamptz NOT NULL,
        hits integer NOT NULL,
        PRIMARY KEY (key, window_start)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE rate_limit`);
    await db.query(`DROP TABLE audit_event`);
    await db.query(`DROP FUNCTION audit_event_append_only()`);
    await db.query(`DROP TABLE app_user`);
  }
}
