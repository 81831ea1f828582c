import { MigrationInterface, QueryRunner } from 'typeorm';

/** Check letters of a UPN, in value order 0..22 (DOMAIN.md). Frozen here: a migration never imports app code. */
const UPN_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';
const UPN_FORMAT = '^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$';

/**
 * SQL for "the check letter matches": sum over positions 2..13 of value x position, mod 23, as a
 * letter; position 13 may be a temporary UPN's letter, counted as its index. Guarded by the format
 * in a CASE (which, unlike AND, fixes the evaluation order), so a malformed value fails the CHECK
 * instead of the ::int cast.
 */
function upnCheckLetterSql(column: string): string {
  const terms = Array.from({ length: 11 }, (_, i) => `substr(${column}, ${i + 2}, 1)::int * ${i + 2}`);
  terms.push(
    `(CASE WHEN substr(${column}, 13, 1) ~ '^[0-9]$' THEN substr(${column}, 13, 1)::int
           ELSE strpos('${UPN_LETTERS}', substr(${column}, 13, 1)) - 1 END) * 13`,
  );
  return `CASE WHEN ${column} ~ '${UPN_FORMAT}'
    THEN substr('${UPN_LETTERS}', ((${terms.join(' + ')}) % 23) + 1, 1) = substr(${column}, 1, 1)
    ELSE false END`;
}

const NEEDS = `('SPLD', 'MLD', 'SLD', 'PMLD', 'SEMH', 'SLCN', 'HI', 'VI', 'MSI', 'PD', 'ASD', 'DS', 'OTH', 'NSA')`;

/** The SEN register: pupils, and the dated history of their status, needs, school and leaving. */
export class Pupils1764320000000 implements MigrationInterface {
  name = 'Pupils1764320000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE pupil (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        upn text NOT NULL
          CONSTRAINT pupil_upn_format CHECK (upn ~ '${UPN_FORMAT}')
          CONSTRAINT pupil_upn_check_letter CHECK (${upnCheckLetterSql('upn')}),
        first_name text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
        last_name text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
        -- Lower-case, accents stripped (kept by the service): case- and accent-insensitive
        -- prefix search and name order. Collation C, so LIKE 'abc%' uses the btree indexes and
        -- the order is the same on every server.
        first_name_key text COLLATE "C" NOT NULL,
        last_name_key text COLLATE "C" NOT NULL,
        date_of_birth date NOT NULL,
        school_id uuid NOT NULL CONSTRAINT pupil_school_fk REFERENCES school (id),
        -- Taught out of year group: the year group is derived from the date of birth plus this.
        year_offset smallint NOT NULL DEFAULT 0 CONSTRAINT pupil_year_offset_range CHECK (year_offset IN (-1, 0, 1)),
        sen_status text NOT NULL CONSTRAINT pupil_sen_status CHECK (sen_status IN ('N', 'K', 'E')),
        primary_need text CONSTRAINT pupil_primary_need_code CHECK (primary_need IN ${NEEDS}),
        secondary_need text CONSTRAINT pupil_secondary_need_code CHECK (secondary_need IN ${NEEDS}),
        left_on date,
        leave_reason text CONSTRAINT pupil_leave_reason CHECK (
          leave_reason IN ('END_OF_YEAR_11', 'MOVED_OUT_OF_AREA', 'ELECTIVE_HOME_EDUCATION', 'OTHER')),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pupil_upn_unique UNIQUE (upn),
        -- N has no needs; K and E have a primary need.
        CONSTRAINT pupil_needs_fit_status CHECK (
          CASE sen_status WHEN 'N' THEN primary_need IS NULL AND secondary_need IS NULL ELSE primary_need IS NOT NULL END),
        -- NSA (not assessed) only with SEN support, only as the primary need, and alone.
        CONSTRAINT pupil_nsa_only_sen_support CHECK (
          (primary_need IS DISTINCT FROM 'NSA' OR (sen_status = 'K' AND secondary_need IS NULL))
          AND secondary_need IS DISTINCT FROM 'NSA'),
        CONSTRAINT pupil_needs_differ CHECK (secondary_need IS NULL OR (primary_need IS NOT NULL AND secondary_need <> primary_need)),
        CONSTRAINT pupil_leaving_complete CHECK ((left_on IS NULL) = (leave_reason IS NULL)),
        CONSTRAINT pupil_left_after_birth CHECK (left_on IS NULL OR left_on > date_of_birth)
      )`);
    await db.query(`CREATE INDEX pupil_school_name_idx ON pupil (school_id, last_name_key, first_name_key, id)`);
    await db.query(`CREATE INDEX pupil_name_idx ON pupil (last_name_key, first_name_key, id)`);
    // The list's default order (surname, then first name; chr(1) sorts before any character of a name).
    await db.query(`CREATE INDEX pupil_school_sort_name_idx ON pupil (school_id, (last_name_key || chr(1) || first_name_key), id)`);
    await db.query(`CREATE INDEX pupil_sort_name_idx ON pupil ((last_name_key || chr(1) || first_name_key), id)`);
    await db.query(`CREATE INDEX pupil_date_of_birth_idx ON pupil (date_of_birth, id)`);

    await db.query(`
      CREATE TABLE pupil_history (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        pupil_id uuid NOT NULL CONSTRAINT pupil_history_pupil_fk REFERENCES pupil (id),
        field text NOT NULL CONSTRAINT pupil_history_field CHECK (field IN ('senStatus', 'primaryNeed', 'secondaryNeed', 'schoolId', 'leftOn')),
        from_value text,
        to_value text,
        -- The date the change takes effect (census "as at" values), not when it was typed.
        effective_on date NOT NULL,
        changed_by uuid CONSTRAINT pupil_history_changed_by_fk REFERENCES app_user (id),
        changed_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT pupil_history_is_a_change CHECK (from_value IS DISTINCT FROM to_value)
      )`);
    await db.query(`CREATE INDEX pupil_history_pupil_idx ON pupil_history (pupil_id, field, effective_on, changed_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE pupil_history`);
    await db.query(`DROP TABLE pupil`);
  }
}
