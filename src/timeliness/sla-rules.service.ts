import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Caller } from '../access/caller';
import { AuditService } from '../audit/audit.service';
import { assertVersion } from '../common/concurrency/expected-version';
import { ProblemException } from '../common/problem/problem.exception';
import { SlaRuleView, UpdateSlaRuleDto } from './dto/timeliness.dto';
import { SlaRule } from './sla-rule.entity';

@Injectable()
export class SlaRulesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<{ data: SlaRuleView[] }> {
    const rules = await this.dataSource.getRepository(SlaRule).find({ order: { kind: 'ASC' } });
    return { data: rules.map(SlaRuleView.of) };
  }

  /**
   * Changes a local target. Deadlines already open keep their due dates (they were computed
   * when opened); only deadlines opened afterwards use the new target.
   */
  async update(caller: Caller, kind: string, version: number, dto: UpdateSlaRuleDto): Promise<SlaRuleView> {
    return this.dataSource.transaction(async (manager) => {
      const rule = await manager.findOne(SlaRule, { where: { kind }, lock: { mode: 'pessimistic_write' } });
      if (!rule) throw ProblemException.notFound('SLA rule');
      if (rule.basis === 'STATUTORY') {
        throw new ProblemException('invalid-transition', `${kind} is a statutory timescale (${rule.legalReference}) and cannot be changed`);
      }
      assertVersion('SLA rule', rule.version, version);
      const changes = { durationValue: dto.durationValue, durationUnit: dto.durationUnit ?? rule.durationUnit };
      const changed = (Object.keys(changes) as (keyof typeof changes)[]).filter((key) => changes[key] !== rule[key]);
      if (changed.length === 0) return SlaRuleView.of(rule);
      Object.assign(rule, changes);
      const saved = await manager.save(rule);
      await this.audit.record(manager, caller, { action: 'sla-rule.update', entityType: 'sla-rule', entityId: null, changedFields: changed });
      return SlaRuleView.of(saved);
    });
  }
}
