import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The annual-reviews dashboard (GET /dashboards/annual-reviews) selects reviews by meeting date and
 * scopes them through the pupil's school and locality. annual_review had neither a pupil nor a
 * date index, so a one-locality dashboard read every review in the county (a sequential scan,
 * 210 ms at N = 5 against 19 ms at N = 1, bench/EXPLAIN-N5.md): with (pupil_id, meeting_on) it
 * reads only its pupils' reviews, and (meeting_on) serves the county-wide window.
 */
export class AnnualReviewIndexes1764510300000 implements MigrationInterface {
  name = 'AnnualReviewIndexes1764510300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX annual_review_pupil_idx ON annual_review (pupil_id, meeting_on)`);
    await db.query(`CREATE INDEX annual_review_meeting_idx ON annual_review (meeting_on)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX annual_review_meeting_idx`);
    await db.query(`DROP INDEX annual_review_pupil_idx`);
  }
}
