import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tells every instance which account changed, for the opt-in caller cache (AUTH_USER_CACHE_SECONDS,
 * src/auth/caller-cache.ts): after an UPDATE or DELETE of an app_user row, whoever made it (an
 * instance, a script, psql), NOTIFY app_user_changed with the user's id. Delivered on commit, to
 * the connections that LISTEN (none unless the cache is on); a NOTIFY nobody listens to costs little.
 * Inserts need none: nothing can have cached a row that did not exist.
 */
export class AppUserChangeNotify1764600000000 implements MigrationInterface {
  name = 'AppUserChangeNotify1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION app_user_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('app_user_changed', OLD.id::text);
        RETURN NULL;
      END
      $$`);
    await db.query(`
      CREATE TRIGGER app_user_notify_change AFTER UPDATE OR DELETE ON app_user
      FOR EACH ROW EXECUTE FUNCTION app_user_notify_change()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER app_user_notify_change ON app_user`);
    await db.query(`DROP FUNCTION app_user_notify_change()`);
  }
}
