import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PasswordHasher } from '../auth/password-hasher';
import { Clock } from '../common/clock/clock';
import { academicYearStart, addDays, type CalendarDate } from '../common/dates/calendar-date';
import { nameKey } from '../pupils/name-key';
import { type DeliverySeedCounts, seedDemoDelivery } from './demo-delivery';
import { seedDemoAnnualReviews } from './demo-annual-reviews';
import { seedDemoEhc } from './demo-ehc';
import { upnCheckLetter } from '../pupils/upn';
import {
  DEMO_BOYS_NAMES,
  DEMO_GIRLS_NAMES,
  DEMO_LA_NUMBER,
  DEMO_PHASE_TRANSFER_PUPILS,
  DEMO_PHASE_TRANSFER_SCHOOL_URN,
  DEMO_LOCALITIES,
  DEMO_NEED_WEIGHTS,
  DEMO_ORGANISATIONS,
  DEMO_PASSWORD,
  DEMO_PLAN_TEMPLATES,
  DEMO_POOL_RANGES,
  DEMO_PUPILS_PER_SCHOOL,
  DEMO_REGISTER_SEED,
  DEMO_REQUEST_TEMPLATES,
  DEMO_REVIEW_NOTES,
  DEMO_SCHOOLS,
  DEMO_SERVICES,
  DEMO_SINGLE_SEX_SCHOOLS,
  DEMO_SURNAMES,
  DEMO_USERS,
  DEMO_WITHDRAW_REASONS,
  type DemoPlanTemplate,
} from './demo-data';
import { type DemoPanelCounts, seedDemoPanels } from './demo-panels';

export interface SeedCounts extends DemoPanelCounts {
  localities: number;
  schools: number;
  organisations: number;
  services: number;
  users: number;
  pupils: number;
  supportPlans: number;
  /** SUPPORT_PLAN_REVIEW deadlines, one per support plan, and REQUEST_DECISION ones, one per submitted request. */
  deadlines: number;
  /** Each locality's pools for the current academic year (STLS, SALT, OT, HNF). */
  resourcePools: number;
  supportRequests: number;
  /** EHC needs assessments at every stage (src/seed/demo-ehc.ts). */
  ehcAssessments: number;
  /** Annual reviews of the demo plans whose first review has fallen due (src/seed/demo-annual-reviews.ts). */
  annualReviews: number;
}

/**
 * Demo data for a newcomer's first start. Every insert is keyed on a natural key and skips
 * rows that exist, so running it again changes nothing.
 */
@Injectable()
export class DemoSeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoSeed');

  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Seeds an empty database at start when SEED_DEMO is on (the default on the embedded one). */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.seedDemo) return;
    const [{ count }] = await this.dataSource.query(`SELECT count(*)::int AS count FROM locality`);
    if (count > 0) return;
    const added = await this.seed();
    this.logger.log(`demo data seeded: ${JSON.stringify(added)}`);
  }

  /** Adds whatever demo rows are missing; returns how many of each were added. */
  async seed(): Promise<SeedCounts & DeliverySeedCounts> {
    const passwordHash = await this.hasher.hash(DEMO_PASSWORD);
    const register = buildDemoRegister(this.clock.today());
    return this.dataSource.transaction(async (manager) => {
      const counts = {
        ...(await this.seedReferenceData(manager)),
        users: await this.seedUsers(manager, passwordHash),
        ...(await this.seedRegister(manager, register)),
        resourcePools: await this.seedPools(manager, register.pools),
      };
      const panels = await seedDemoPanels(manager, this.clock.today(), DEMO_LOCALITIES.map((l) => l.code));
      const delivery = await seedDemoDelivery(manager, this.clock.today(), register);
      const ehcAssessments = await seedDemoEhc(manager, this.clock.today());
      const annualReviews = await seedDemoAnnualReviews(manager, this.clock.today());
      return { ...counts, ...panels, ...delivery, allocations: panels.allocations + delivery.allocations, ehcAssessments, annualReviews };
    });
  }

  /**
   * Demo pupils (keyed on UPN) and, for the pupils added in this run only, their support cycles,
   * reviews and SUPPORT_PLAN_REVIEW deadlines: a pupil already there keeps whatever cycles it has,
   * so running this again adds nothing.
   */
  private async seedRegister(
    manager: EntityManager,
    register: DemoRegister,
  ): Promise<Pick<SeedCounts, 'pupils' | 'supportPlans' | 'deadlines' | 'supportRequests'>> {
    const inserted = await queryRows<{ upn: string }>(
      manager,
      `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id,
                          sen_status, primary_need, secondary_need)
       SELECT d.upn, d."firstName", d."lastName", d."firstNameKey", d."lastNameKey", d."dateOfBirth", s.id,
              d."senStatus", d."primaryNeed", d."secondaryNeed"
       FROM jsonb_to_recordset($1::jsonb) AS d(upn text, "firstName" text, "lastName" text, "firstNameKey" text,
         "lastNameKey" text, "dateOfBirth" date, "schoolUrn" text, "senStatus" text, "primaryNeed" text, "secondaryNeed" text)
       JOIN school s ON s.urn = d."schoolUrn"
       ORDER BY d.upn
       ON CONFLICT (upn) DO NOTHING
       RETURNING upn`,
      [JSON.stringify(register.pupils)],
    );
    const added = new Set(inserted.map((row) => row.upn));
    const plans = register.plans.filter((plan) => added.has(plan.upn));
    const requests = register.requests.filter((request) => added.has(request.upn));
    const planCounts = await this.seedPlans(manager, plans);
    const requestCounts = await this.seedRequests(manager, requests);
    return {
      pupils: added.size,
      supportPlans: planCounts.plans,
      deadlines: planCounts.deadlines + requestCounts.deadlines,
      supportRequests: requestCounts.requests,
    };
  }

  /** Support cycles, their reviews and SUPPORT_PLAN_REVIEW deadlines, for pupils added in this run. */
  private async seedPlans(manager: EntityManager, plans: DemoPlanRow[]): Promise<{ plans: number; deadlines: number }> {
    if (plans.length === 0) return { plans: 0, deadlines: 0 };
    // One statement: the plans, then (joined back on pupil and start date, unique per demo pupil)
    // their reviews, and a review deadline per plan, met on the review date when reviewed.
    const [counts] = await queryRows<{ plans: number; deadlines: number }>(
      manager,
      `WITH d AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(upn text, outcomes jsonb, provision jsonb, "startOn" date,
           "reviewOn" date, status text, "reviewedOn" date, "reviewOutcomes" jsonb, "nextStep" text, note text)
       ), plan AS (
         INSERT INTO support_plan (pupil_id, school_id, outcomes, provision, start_on, review_on, status, reviewed_on)
         SELECT p.id, p.school_id, d.outcomes, d.provision, d."startOn", d."reviewOn", d.status, d."reviewedOn"
         FROM d JOIN pupil p ON p.upn = d.upn
         ORDER BY d.upn, d."startOn"
         RETURNING id, pupil_id, school_id, start_on, review_on, reviewed_on
       ), review AS (
         INSERT INTO support_plan_review (support_plan_id, reviewed_on, outcomes, next_step, note)
         SELECT plan.id, plan.reviewed_on, d."reviewOutcomes", d."nextStep", d.note
         FROM plan JOIN pupil p ON p.id = plan.pupil_id JOIN d ON d.upn = p.upn AND d."startOn" = plan.start_on
         WHERE plan.reviewed_on IS NOT NULL
         RETURNING 1
       ), deadline_row AS (
         INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, starts_on, due_on, met_on)
         SELECT 'SUPPORT_PLAN_REVIEW', 'SUPPORT_PLAN', plan.id, plan.pupil_id, plan.school_id, s.locality_id,
                plan.start_on, plan.review_on, plan.reviewed_on
         FROM plan JOIN school s ON s.id = plan.school_id
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM plan)::int AS plans, (SELECT count(*) FROM review)::int AS reviews,
              (SELECT count(*) FROM deadline_row)::int AS deadlines`,
      [JSON.stringify(plans)],
    );
    return { plans: counts.plans, deadlines: counts.deadlines };
  }

  /**
   * Support requests for pupils added in this run (after their cycles, so a request links to the
   * pupil's open cycle where there is one), to the panel of the school's locality, and a
   * REQUEST_DECISION deadline for each one submitted: due 4 weeks after submission, cancelled on
   * the day a withdrawn one was withdrawn.
   */
  private async seedRequests(manager: EntityManager, requests: DemoRequestRow[]): Promise<{ requests: number; deadlines: number }> {
    if (requests.length === 0) return { requests: 0, deadlines: 0 };
    const [counts] = await queryRows<{ requests: number; deadlines: number }>(
      manager,
      `WITH d AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(upn text, "serviceCode" text, reason text, urgency text,
           "unitsRequested" numeric, status text, "submittedOn" date, "withdrawnOn" date, "withdrawReason" text)
       ), request AS (
         INSERT INTO support_request (pupil_id, school_id, locality_id, service_code, support_plan_id, reason, urgency,
                                      units_requested, status, submitted_on, withdrawn_on, withdraw_reason)
         SELECT p.id, p.school_id, s.locality_id, d."serviceCode",
                (SELECT sp.id FROM support_plan sp WHERE sp.pupil_id = p.id AND sp.status = 'OPEN' ORDER BY sp.start_on DESC, sp.id LIMIT 1),
                d.reason, d.urgency, d."unitsRequested", d.status, d."submittedOn", d."withdrawnOn", d."withdrawReason"
         FROM d JOIN pupil p ON p.upn = d.upn JOIN school s ON s.id = p.school_id JOIN service sv ON sv.code = d."serviceCode"
         ORDER BY d.upn
         RETURNING id, pupil_id, school_id, locality_id, status, submitted_on, withdrawn_on
       ), deadline_row AS (
         INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, starts_on, due_on, cancelled_on)
         SELECT 'REQUEST_DECISION', 'SUPPORT_REQUEST', request.id, request.pupil_id, request.school_id, request.locality_id,
                request.submitted_on, request.submitted_on + 28, request.withdrawn_on
         FROM request
         WHERE request.status <> 'DRAFT'
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM request)::int AS requests, (SELECT count(*) FROM deadline_row)::int AS deadlines`,
      [JSON.stringify(requests)],
    );
    return { requests: counts.requests, deadlines: counts.deadlines };
  }

  /**
   * Each demo locality's pools for the current academic year, keyed on (locality, service,
   * period start); also skipped when a pool of that locality and service already overlaps the
   * year (periods must not overlap).
   */
  private seedPools(manager: EntityManager, pools: DemoPoolRow[]): Promise<number> {
    return insertMissing(
      manager,
      `INSERT INTO resource_pool (locality_id, service_code, period_start, period_end, capacity_units)
       SELECT l.id, d."serviceCode", d."periodStart", d."periodEnd", d."capacityUnits"
       FROM jsonb_to_recordset($1::jsonb)
         AS d("localityCode" text, "serviceCode" text, "periodStart" date, "periodEnd" date, "capacityUnits" numeric)
       JOIN locality l ON l.code = d."localityCode"
       JOIN service sv ON sv.code = d."serviceCode"
       WHERE NOT EXISTS (SELECT 1 FROM resource_pool rp WHERE rp.locality_id = l.id AND rp.service_code = d."serviceCode"
                           AND rp.period_start <= d."periodEnd" AND rp.period_end >= d."periodStart")
       ORDER BY d."localityCode", d."serviceCode"
       ON CONFLICT (locality_id, service_code, period_start) DO NOTHING`,
      pools,
    );
  }

  /** Demo logins, one or more per role (README lists them); skipped when the email exists. */
  private seedUsers(manager: EntityManager, passwordHash: string): Promise<number> {
    return insertMissing(
      manager,
      `INSERT INTO app_user (email, name, role, school_id, locality_id, area, organisation_id, password_hash)
       SELECT d.email, d.name, d.role, s.id, l.id, d.area, o.id, $2
       FROM jsonb_to_recordset($1::jsonb)
         AS d(email text, name text, role text, "schoolUrn" text, "localityCode" text, area text, organisation text)
       LEFT JOIN school s ON s.urn = d."schoolUrn"
       LEFT JOIN locality l ON l.code = d."localityCode"
       LEFT JOIN organisation o ON lower(o.name) = lower(d.organisation)
       ON CONFLICT DO NOTHING`,
      DEMO_USERS,
      [passwordHash],
    );
  }

  private async seedReferenceData(manager: EntityManager): Promise<Pick<SeedCounts, 'localities' | 'schools' | 'organisations' | 'services'>> {
    const localities = await insertMissing(
      manager,
      `INSERT INTO locality (code, name, area, district)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(code text, name text, area text, district text)
       ON CONFLICT (code) DO NOTHING`,
      DEMO_LOCALITIES,
    );
    const schools = await insertMissing(
      manager,
      `INSERT INTO school (urn, name, phase, kind, locality_id)
       SELECT d.urn, d.name, d.phase, 'MAINSTREAM', l.id
       FROM jsonb_to_recordset($1::jsonb) AS d(urn text, name text, phase text, "localityCode" text)
       JOIN locality l ON l.code = d."localityCode"
       ON CONFLICT (urn) DO NOTHING`,
      DEMO_SCHOOLS,
    );
    const organisations = await insertMissing(
      manager,
      `INSERT INTO organisation (name, kind)
       SELECT d.name, d.kind FROM jsonb_to_recordset($1::jsonb) AS d(name text, kind text)
       WHERE NOT EXISTS (SELECT 1 FROM organisation o WHERE lower(o.name) = lower(d.name))`,
      DEMO_ORGANISATIONS,
    );
    const services = await insertMissing(
      manager,
      `INSERT INTO service (code, name, organisation_id, unit, delivery_start_weeks)
       SELECT d.code, d.name, o.id, d.unit, d."deliveryStartWeeks"
       FROM jsonb_to_recordset($1::jsonb) AS d(code text, name text, organisation text, unit text, "deliveryStartWeeks" int)
       JOIN organisation o ON lower(o.name) = lower(d.organisation)
       ON CONFLICT (code) DO NOTHING`,
      DEMO_SERVICES,
    );
    return { localities, schools, organisations, services };
  }
}

async function insertMissing(manager: EntityManager, sql: string, rows: object[], extra: unknown[] = []): Promise<number> {
  const result: unknown = await manager.query(`${sql} RETURNING 1`, [JSON.stringify(rows), ...extra]);
  // TypeORM's postgres driver answers [rows, affected] for writes with RETURNING... or just rows.
  if (Array.isArray(result) && result.length === 2 && typeof result[1] === 'number') return result[1];
  return Array.isArray(result) ? result.length : 0;
}

/** The rows of a query, whichever shape TypeORM's postgres driver answers a write with RETURNING in. */
async function queryRows<T>(manager: EntityManager, sql: string, parameters: unknown[]): Promise<T[]> {
  const result: unknown = await manager.query(sql, parameters);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return Array.isArray(result) ? (result as T[]) : [];
}

// ---------------------------------------------------------------------------------------------
// The demo register: drawn from a seeded PRNG, so the same pupils every time; dates relative to
// today, so whatever the date the demo shows reviews on track, due soon, overdue, met on time and
// met late.
// ---------------------------------------------------------------------------------------------

export interface DemoPupilRow {
  upn: string;
  firstName: string;
  lastName: string;
  firstNameKey: string;
  lastNameKey: string;
  dateOfBirth: CalendarDate;
  schoolUrn: string;
  senStatus: 'N' | 'K' | 'E';
  primaryNeed: string | null;
  secondaryNeed: string | null;
}

export interface DemoPlanRow {
  upn: string;
  outcomes: DemoPlanTemplate['outcomes'];
  provision: DemoPlanTemplate['provision'];
  startOn: CalendarDate;
  reviewOn: CalendarDate;
  status: 'OPEN' | 'REVIEWED';
  reviewedOn: CalendarDate | null;
  reviewOutcomes: { outcomeIndex: number; progress: 'ACHIEVED' | 'PARTLY' | 'NOT_ACHIEVED' }[] | null;
  nextStep: 'CONTINUE' | 'NEW_CYCLE' | null;
  note: string | null;
}

export interface DemoRequestRow {
  upn: string;
  serviceCode: string;
  reason: string;
  urgency: 'ROUTINE' | 'URGENT';
  unitsRequested: number;
  status: 'DRAFT' | 'SUBMITTED' | 'WITHDRAWN';
  submittedOn: CalendarDate | null;
  withdrawnOn: CalendarDate | null;
  withdrawReason: string | null;
}

export interface DemoPoolRow {
  localityCode: string;
  serviceCode: string;
  periodStart: CalendarDate;
  periodEnd: CalendarDate;
  capacityUnits: number;
}

export interface DemoRegister {
  pupils: DemoPupilRow[];
  plans: DemoPlanRow[];
  requests: DemoRequestRow[];
  pools: DemoPoolRow[];
}

/** The academic year the UPNs' allocation years are counted from: fixed, so a pupil's UPN never changes. */
const UPN_BASE_ACADEMIC_YEAR = 2025;

/** mulberry32: a small, fast, seeded 32-bit PRNG; returns numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type OpenTiming = 'OVERDUE' | 'DUE_SOON' | 'ON_TRACK';

/**
 * The demo pupils and their cycles as of `today`. Everything about who a pupil is (name, UPN,
 * school, year group, status, needs, which cycles) comes from the PRNG alone and draws the same
 * numbers whatever the date; only the dates move with today. About 80% K, 15% E, 5% N; about 9 in
 * 10 K pupils have an open cycle (per locality ~15% overdue, ~15% due within 14 days, the rest on
 * track) and about 2 in 3 of those an earlier reviewed one (~70% reviewed on time, ~30% late).
 */
export function buildDemoRegister(today: CalendarDate, seed = DEMO_REGISTER_SEED): DemoRegister {
  const random = mulberry32(seed);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const weighted = (weights: Record<string, number>, exclude: readonly (string | null)[] = []): string => {
    const entries = Object.entries(weights).filter(([code]) => !exclude.includes(code));
    let r = random() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [code, w] of entries) {
      r -= w;
      if (r < 0) return code;
    }
    return entries[entries.length - 1][0];
  };
  const academicYear = Number(academicYearStart(today).slice(0, 4));
  const pupils: DemoPupilRow[] = [];
  const plans: DemoPlanRow[] = [];
  // Open cycles are given their timing per locality afterwards, so every locality shows some of each.
  const openByLocality = new Map<string, DemoPlanRow[]>();
  const kByLocality = new Map<string, string[]>();

  DEMO_SCHOOLS.forEach((school) => {
    const establishment = school.urn.slice(-4);
    const sex = DEMO_SINGLE_SEX_SCHOOLS[school.urn];
    for (let n = 0; n < DEMO_PUPILS_PER_SCHOOL; n += 1) {
      // Every draw below happens for every pupil, in the same order, so the sequence never depends on today.
      const yearGroup = school.phase === 'PRIMARY' ? int(0, 6) : int(7, 11);
      const dayOfYear = int(0, 364);
      const girl = sex === 'GIRLS' || (sex !== 'BOYS' && random() < 0.45);
      const firstName = pick(girl ? DEMO_GIRLS_NAMES : DEMO_BOYS_NAMES);
      const lastName = pick(DEMO_SURNAMES);
      const statusDraw = random();
      const senStatus = statusDraw < 0.8 ? 'K' : statusDraw < 0.95 ? 'E' : 'N';
      const primaryDraw = weighted(DEMO_NEED_WEIGHTS[senStatus === 'E' ? 'E' : 'K']);
      const secondaryDraw = weighted(DEMO_NEED_WEIGHTS.K, ['NSA', primaryDraw]);
      const hasSecondary = random() < 0.35;
      const primaryNeed = senStatus === 'N' ? null : primaryDraw;
      const secondaryNeed = senStatus === 'N' || primaryNeed === 'NSA' || !hasSecondary ? null : secondaryDraw;
      const serial = String(1 + n * 150 + int(0, 149)).padStart(3, '0');
      const body = `${DEMO_LA_NUMBER}${establishment}${String((UPN_BASE_ACADEMIC_YEAR - yearGroup) % 100).padStart(2, '0')}${serial}`;
      const upn = `${upnCheckLetter(body)}${body}`;
      // Born in the cohort that is in `yearGroup` this academic year (1 September to 31 August).
      const cohortStart = `${academicYear - 5 - yearGroup}-09-01`;
      const dateOfBirth = addDays(cohortStart, Math.min(dayOfYear, daysInCohort(cohortStart) - 1));
      pupils.push({
        upn,
        firstName,
        lastName,
        firstNameKey: nameKey(firstName),
        lastNameKey: nameKey(lastName),
        dateOfBirth,
        schoolUrn: school.urn,
        senStatus,
        primaryNeed,
        secondaryNeed,
      });

      const hasOpen = random() < 0.9;
      const hasEarlier = random() < 0.65;
      const templates = DEMO_PLAN_TEMPLATES[primaryNeed ?? ''] ?? DEMO_PLAN_TEMPLATES.DEFAULT;
      const earlierTemplate = pick(templates);
      const openTemplate = pick(templates);
      const earlierStartAgo = int(150, 210);
      const earlierReviewAgo = int(110, 130);
      const late = random() < 0.33;
      const reviewShift = late ? int(2, 16) : -int(0, 5);
      const progress = earlierTemplate.outcomes.map(() => random());
      const nextStep = random() < 0.6 ? 'CONTINUE' : 'NEW_CYCLE';
      const noteDraw = random();
      const openStartAgo = int(30, 90);
      if (senStatus !== 'K') continue;
      const kPupils = kByLocality.get(school.localityCode) ?? [];
      kPupils.push(upn);
      kByLocality.set(school.localityCode, kPupils);

      if (hasOpen && hasEarlier) {
        const reviewOn = addDays(today, -earlierReviewAgo);
        plans.push({
          upn,
          ...earlierTemplate,
          startOn: addDays(today, -earlierStartAgo),
          reviewOn,
          status: 'REVIEWED',
          reviewedOn: addDays(reviewOn, reviewShift),
          reviewOutcomes: progress.map((p, outcomeIndex) => ({
            outcomeIndex,
            progress: p < 0.35 ? 'ACHIEVED' : p < 0.85 ? 'PARTLY' : 'NOT_ACHIEVED',
          })),
          nextStep,
          note: noteDraw < 0.5 ? null : DEMO_REVIEW_NOTES[Math.floor(((noteDraw - 0.5) / 0.5) * DEMO_REVIEW_NOTES.length)],
        });
      }
      if (hasOpen) {
        const open: DemoPlanRow = {
          upn,
          ...openTemplate,
          startOn: addDays(today, -openStartAgo),
          reviewOn: today, // set by its timing below
          status: 'OPEN',
          reviewedOn: null,
          reviewOutcomes: null,
          nextStep: null,
          note: null,
        };
        plans.push(open);
        const list = openByLocality.get(school.localityCode) ?? [];
        list.push(open);
        openByLocality.set(school.localityCode, list);
      }
    }
  });

  // Outside the draws above, so the drawn pupils stay the same: Year 7 pupils with EHC plans.
  DEMO_PHASE_TRANSFER_PUPILS.forEach((p, i) => {
    const yearGroup = 7;
    const body = `${DEMO_LA_NUMBER}${DEMO_PHASE_TRANSFER_SCHOOL_URN.slice(-4)}${String((UPN_BASE_ACADEMIC_YEAR - yearGroup) % 100).padStart(2, '0')}${900 + i}`;
    pupils.push({
      upn: `${upnCheckLetter(body)}${body}`,
      firstName: p.firstName,
      lastName: p.lastName,
      firstNameKey: nameKey(p.firstName),
      lastNameKey: nameKey(p.lastName),
      dateOfBirth: addDays(`${academicYear - 5 - yearGroup}-09-01`, p.dayOfYear),
      schoolUrn: DEMO_PHASE_TRANSFER_SCHOOL_URN,
      senStatus: 'E',
      primaryNeed: p.primaryNeed,
      secondaryNeed: null,
    });
  });

  [...openByLocality.keys()].sort().forEach((locality, index) => {
    const open = openByLocality.get(locality) ?? [];
    const localRandom = mulberry32(seed + index + 1);
    const overdue = Math.max(1, Math.round(open.length * 0.15));
    const dueSoon = Math.max(1, Math.round(open.length * 0.15));
    const timings: OpenTiming[] = open.map((_, i) => (i < overdue ? 'OVERDUE' : i < overdue + dueSoon ? 'DUE_SOON' : 'ON_TRACK'));
    // Fisher-Yates with the locality's own PRNG, so which pupils are late does not follow list order.
    for (let i = timings.length - 1; i > 0; i -= 1) {
      const j = Math.floor(localRandom() * (i + 1));
      [timings[i], timings[j]] = [timings[j], timings[i]];
    }
    open.forEach((plan, i) => {
      const daysAhead =
        timings[i] === 'OVERDUE' ? -(1 + Math.floor(localRandom() * 21)) : timings[i] === 'DUE_SOON' ? Math.floor(localRandom() * 15) : 15 + Math.floor(localRandom() * 46);
      plan.reviewOn = addDays(today, daysAhead);
    });
  });
  return { pupils, plans, requests: buildDemoRequests(today, kByLocality, seed), pools: buildDemoPools(today, seed) };
}

/**
 * Support requests for about a third of each locality's K pupils, drawn from their own PRNG (so
 * the pupils drawn above never change). Per locality the first is submitted over 4 weeks ago
 * (its decision overdue) and the second 2 to 4 weeks ago (due soon); the rest about 20% DRAFT,
 * 20% WITHDRAWN and the others SUBMITTED within the last 7 weeks. No decided ones.
 */
function buildDemoRequests(today: CalendarDate, kByLocality: Map<string, string[]>, seed: number): DemoRequestRow[] {
  const random = mulberry32(seed + 1000);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const requests: DemoRequestRow[] = [];
  [...kByLocality.keys()].sort().forEach((locality) => {
    const upns = [...(kByLocality.get(locality) ?? [])];
    for (let i = upns.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [upns[i], upns[j]] = [upns[j], upns[i]];
    }
    const chosen = upns.slice(0, Math.min(upns.length, Math.max(2, Math.round(upns.length / 3))));
    chosen.forEach((upn, i) => {
      // Every draw happens for every request, in the same order, whatever the status.
      const template = pick(DEMO_REQUEST_TEMPLATES);
      const unitsRequested = pick(template.units);
      const reason = pick(template.reasons);
      const urgency = random() < 0.85 ? 'ROUTINE' : 'URGENT';
      const statusDraw = random();
      const anyAgo = int(0, 48);
      const overdueAgo = int(29, 48);
      const dueSoonAgo = int(15, 27);
      const withdrawnAgo = int(8, 48);
      const withdrawAfter = int(1, 7);
      const withdrawReason = pick(DEMO_WITHDRAW_REASONS);
      const status = i < 2 ? 'SUBMITTED' : statusDraw < 0.2 ? 'DRAFT' : statusDraw < 0.4 ? 'WITHDRAWN' : 'SUBMITTED';
      const base = { upn, serviceCode: template.serviceCode, reason, urgency, unitsRequested } as const;
      if (status === 'DRAFT') {
        requests.push({ ...base, status, submittedOn: null, withdrawnOn: null, withdrawReason: null });
      } else if (status === 'WITHDRAWN') {
        const submittedOn = addDays(today, -withdrawnAgo);
        requests.push({ ...base, status, submittedOn, withdrawnOn: addDays(submittedOn, withdrawAfter), withdrawReason });
      } else {
        const ago = i === 0 ? overdueAgo : i === 1 ? dueSoonAgo : anyAgo;
        requests.push({ ...base, status, submittedOn: addDays(today, -ago), withdrawnOn: null, withdrawReason: null });
      }
    });
  });
  return requests;
}

/** Each demo locality's pools for the academic year containing `today` (1 September to 31 August); capacities never depend on the date. */
function buildDemoPools(today: CalendarDate, seed: number): DemoPoolRow[] {
  const random = mulberry32(seed + 2000);
  const periodStart = academicYearStart(today);
  const periodEnd = `${Number(periodStart.slice(0, 4)) + 1}-08-31`;
  return DEMO_LOCALITIES.flatMap((locality) =>
    DEMO_POOL_RANGES.map((range) => ({
      localityCode: locality.code,
      serviceCode: range.serviceCode,
      periodStart,
      periodEnd,
      capacityUnits: range.min + range.step * Math.floor(random() * ((range.max - range.min) / range.step + 1)),
    })),
  );
}

/** Days from a 1 September to the next 31 August inclusive (366 when the February has 29 days). */
function daysInCohort(cohortStart: CalendarDate): number {
  const year = Number(cohortStart.slice(0, 4)) + 1;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 366 : 365;
}
