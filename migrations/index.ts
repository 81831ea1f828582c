import { ReferenceData1764300000000 } from './1764300000000-reference-data';
import { IdentityAndAudit1764310000000 } from './1764310000000-identity-and-audit';
import { Pupils1764320000000 } from './1764320000000-pupils';
import { Timeliness1764330000000 } from './1764330000000-timeliness';
import { SupportPlans1764340000000 } from './1764340000000-support-plans';
import { SupportRequests1764350000000 } from './1764350000000-support-requests';
import { ResourcePools1764360000000 } from './1764360000000-resource-pools';
import { Allocations1764370000000 } from './1764370000000-allocations';
import { Panels1764380000000 } from './1764380000000-panels';
import { AllocationSessions1764390000000 } from './1764390000000-allocation-sessions';
import { EhcAssessments1764400000000 } from './1764400000000-ehc-assessments';
import { AnnualReviews1764400100000 } from './1764400100000-annual-reviews';
import { DashboardIndexes1764410000000 } from './1764410000000-dashboard-indexes';
import { DataProtection1764450000000 } from './1764450000000-data-protection';
import { EhcListIndexes1764500000000 } from './1764500000000-ehc-list-indexes';
import { PhaseTransfers1764500100000 } from './1764500100000-phase-transfers';
import { DeadlineCoveringIndexes1764510000000 } from './1764510000000-deadline-covering-indexes';
import { LocalityModelIndexes1764510100000 } from './1764510100000-locality-model-indexes';
import { PupilNamePrefixIndexes1764510200000 } from './1764510200000-pupil-name-prefix-indexes';
import { AnnualReviewIndexes1764510300000 } from './1764510300000-annual-review-indexes';
import { EhcAssessmentNextDue1764560000000 } from './1764560000000-ehc-assessment-next-due';
import { EhcWorklistPartialIndexes1764560100000 } from './1764560100000-ehc-worklist-partial-indexes';
import { LocalityModelWindowBounds1764560200000 } from './1764560200000-locality-model-window-bounds';
import { LocalityModelCoveringWindowIndexes1764560300000 } from './1764560300000-locality-model-covering-window-indexes';
import { AdviceRequestOpenIndex1764560400000 } from './1764560400000-advice-request-open-index';
import { AppUserChangeNotify1764600000000 } from './1764600000000-app-user-change-notify';

/** Every migration, oldest first: one list for the app, the CLI and the tests (STACK.md). */
export const MIGRATIONS = [ReferenceData1764300000000, IdentityAndAudit1764310000000, Pupils1764320000000, Timeliness1764330000000, SupportPlans1764340000000, SupportRequests1764350000000, ResourcePools1764360000000, Allocations1764370000000, Panels1764380000000, AllocationSessions1764390000000, EhcAssessments1764400000000, AnnualReviews1764400100000, DashboardIndexes1764410000000, DataProtection1764450000000, EhcListIndexes1764500000000, PhaseTransfers1764500100000, DeadlineCoveringIndexes1764510000000, LocalityModelIndexes1764510100000, PupilNamePrefixIndexes1764510200000, AnnualReviewIndexes1764510300000, EhcAssessmentNextDue1764560000000, EhcWorklistPartialIndexes1764560100000, LocalityModelWindowBounds1764560200000, LocalityModelCoveringWindowIndexes1764560300000, AdviceRequestOpenIndex1764560400000, AppUserChangeNotify1764600000000];
