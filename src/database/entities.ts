import { Allocation } from '../allocations/allocation.entity';
import { AllocationSession } from '../allocations/allocation-session.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { AdviceRequest, AnnualReview, EhcAppeal, EhcAssessment, EhcException, EhcPlan } from '../ehc/ehc.entities';
import { Locality } from '../localities/locality.entity';
import { School } from '../localities/school.entity';
import { Organisation } from '../providers/organisation.entity';
import { ResourcePool } from '../pools/resource-pool.entity';
import { CatalogueService } from '../providers/service.entity';
import { PupilHistory } from '../pupils/pupil-history.entity';
import { Pupil } from '../pupils/pupil.entity';
import { SupportPlanReview } from '../support-plans/support-plan-review.entity';
import { SupportPlan } from '../support-plans/support-plan.entity';
import { SupportRequest } from '../support-requests/support-request.entity';
import { SupportRequestDecision } from '../support-requests/support-request-decision.entity';
import { PanelMeeting, PanelMeetingInterest } from '../panels/panel-meeting.entity';
import { Deadline } from '../timeliness/deadline.entity';
import { SlaRule } from '../timeliness/sla-rule.entity';
import { User } from '../users/user.entity';

/** Every entity class, listed so tsc output, the CLI and jest load the same set. */
export const ENTITIES = [Locality, School, Organisation, CatalogueService, User, AuditEvent, Pupil, PupilHistory, SlaRule, Deadline, SupportPlan, SupportPlanReview, SupportRequest, ResourcePool, Allocation, PanelMeeting, PanelMeetingInterest, SupportRequestDecision, AllocationSession, EhcAssessment, AdviceRequest, EhcPlan, EhcException, EhcAppeal, AnnualReview];
