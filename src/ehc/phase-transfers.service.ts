import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import { applyScope, type ScopeFilter } from '../access/scope-filter';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { ProblemException } from '../common/problem/problem.exception';
import type { SchoolPhase } from '../localities/school.entity';
import { type OpenDeadline, TimelinessService } from '../timeliness/timeliness.service';
import { OpenPhaseTransfersDto, PhaseTransferRunView } from './dto/ehc-plan.dto';
import { PLAN_SCOPE_COLUMNS } from './ehc-plans.service';
import { academicYearOf, phaseTransferOfPlan, transferYearStart } from './phase-transfer';

interface ActivePlanRow {
  planId: string;
  pupilId: string;
  schoolId: string;
  localityId: string;
  dateOfBirth: string;
  yearOffset: number;
  schoolPhase: SchoolPhase;
  issuedOn: string;
}

/**
 * PHASE_TRANSFER deadlines (DOMAIN.md, Reg 18): a pupil with an active EHC plan in the last year
 * group of the school they attend gets one, subject the plan, starting 1 September of the
 * transfer year and due 15 February (31 March post-16); the amended plan naming the new setting
 * meets it (EhcPlansService.amendedPlan). Opened when a final plan is issued in a transfer year
 * and, for every plan in scope, by the yearly run; a unique index keeps it to one per plan and
 * year, so both may happen and the run may be repeated.
 */
@Injectable()
export class PhaseTransfersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly timeliness: TimelinessService,
    private readonly clock: Clock,
  ) {}

  /** POST /ehc-plans/phase-transfers: opens the academic year's deadlines for the plans in scope. */
  async openForYear(caller: Caller, scope: ScopeFilter, dto: OpenPhaseTransfersDto): Promise<PhaseTransferRunView> {
    const current = academicYearOf(this.clock.today());
    // The register knows the pupil's school today, not in another year: only the year under way.
    if (dto.academicYear !== current) {
      throw ProblemException.invalidField(
        'academicYear',
        `must be the academic year under way (${current}, from 1 September ${current}): the register knows which school a pupil attends now, not then`,
      );
    }
    return this.dataSource.transaction(async (manager) => {
      const { inTransferYear, opened } = await this.open(manager, dto.academicYear, scope);
      await this.audit.record(manager, caller, { action: 'ehc-plan.phase-transfers', entityType: 'ehc-plan', changedFields: [] });
      return { academicYear: dto.academicYear, inTransferYear, opened, alreadyOpen: inTransferYear - opened };
    });
  }

  /** A final plan issued: when its pupil is in a transfer year, the plan owes that year's phase transfer. */
  async openForPlan(manager: EntityManager, planId: string, academicYear: number): Promise<number> {
    return (await this.open(manager, academicYear, {}, planId)).opened;
  }

  private async open(manager: EntityManager, academicYear: number, scope: ScopeFilter, planId?: string): Promise<{ inTransferYear: number; opened: number }> {
    const qb = manager
      .createQueryBuilder()
      .select([
        'p.id AS "planId"',
        'p.pupil_id AS "pupilId"',
        'pupil.school_id AS "schoolId"',
        'school.locality_id AS "localityId"',
        'pupil.date_of_birth::text AS "dateOfBirth"',
        'pupil.year_offset AS "yearOffset"',
        'school.phase AS "schoolPhase"',
        'p.issued_on::text AS "issuedOn"',
      ])
      .from('ehc_plan', 'p')
      .innerJoin('pupil', 'pupil', 'pupil.id = p.pupil_id')
      .innerJoin('school', 'school', 'school.id = pupil.school_id')
      .innerJoin('locality', 'locality', 'locality.id = school.locality_id')
      // Active: issued, not ceased, the pupil still on the register.
      .where('p.ceased_on IS NULL AND pupil.left_on IS NULL AND pupil.erased_on IS NULL');
    if (planId) qb.andWhere('p.id = :planId', { planId });
    applyScope(qb, scope, PLAN_SCOPE_COLUMNS);
    const specs: OpenDeadline[] = [];
    for (const row of (await qb.getRawMany()) as ActivePlanRow[]) {
      const transfer = phaseTransferOfPlan({ ...row, yearOffset: Number(row.yearOffset) }, academicYear);
      if (!transfer) continue;
      specs.push({
        kind: 'PHASE_TRANSFER',
        subjectType: 'EHC_PLAN',
        subjectId: row.planId,
        startsOn: transferYearStart(academicYear),
        dueOn: transfer.dueOn,
        pupilId: row.pupilId,
        schoolId: row.schoolId,
        localityId: row.localityId,
      });
    }
    return { inTransferYear: specs.length, opened: await this.timeliness.openOnce(manager, specs) };
  }
}
