import { upnCheckLetter } from '../pupils/upn';
import { caseDeadlineEnds, checkEhcRow, EHC_COLUMNS } from './ehc-row';

const TODAY = '2026-06-15';
const body = '886300100001';
const UPN = `${upnCheckLetter(body)}${body}`;
const blank = Object.fromEntries(EHC_COLUMNS.map((c) => [c.name, ''])) as Record<string, string>;
const cells = (over: Record<string, string>) => ({ ...blank, upn: UPN, requestReceivedOn: '2025-01-06', requestedBy: 'PARENT', ...over });
const planned = { decisionToAssess: 'Y', decisionToAssessOn: '2025-02-10', issueDecision: 'Y', issueDecisionOn: '2025-04-28', finalPlanIssuedOn: '2025-05-19' };

describe('checkEhcRow', () => {
  it.each([
    ['just requested', {}, 'REQUESTED'],
    ['not assessed', { decisionToAssess: 'N', decisionToAssessOn: '2025-02-10' }, 'NOT_ASSESSED'],
    ['assessing', { decisionToAssess: 'y', decisionToAssessOn: '2025-02-10' }, 'ASSESSING'],
    ['draft issued', { ...planned, finalPlanIssuedOn: '' }, 'DRAFT_ISSUED'],
    ['not issued', { ...planned, issueDecision: 'N', finalPlanIssuedOn: '' }, 'NOT_ISSUED'],
    ['plan issued', planned, 'PLAN_ISSUED'],
    ['withdrawn while assessing', { decisionToAssess: 'Y', decisionToAssessOn: '2025-02-10', withdrawnOn: '2025-03-01' }, 'WITHDRAWN'],
    ['plan with an exception', { ...planned, exceptionReason: 'absent_from_area', exceptionFromOn: '2025-02-01', exceptionToOn: '2025-03-31' }, 'PLAN_ISSUED'],
    ['personal circumstances of any length', { ...planned, exceptionReason: 'PERSONAL_CIRCUMSTANCES', exceptionFromOn: '2025-02-01', exceptionToOn: '2025-02-03' }, 'PLAN_ISSUED'],
  ])('%s: a good row, stage derived', (_name, over, stage) => {
    const { row, errors } = checkEhcRow(7, cells(over), TODAY);
    expect(errors).toEqual([]);
    expect(row.case?.stage).toBe(stage);
    expect(row.upn).toBe(UPN);
  });

  it.each([
    ['issue decision without a decision to assess', { issueDecision: 'Y', issueDecisionOn: '2025-04-01' }, 'issueDecisionOn', /out of order/],
    ['issue decision after not assessing', { decisionToAssess: 'N', decisionToAssessOn: '2025-02-10', issueDecision: 'Y', issueDecisionOn: '2025-04-01' }, 'issueDecisionOn', /not to assess/],
    ['final plan without a draft', { ...planned, issueDecision: 'N' }, 'finalPlanIssuedOn', /out of order/],
    ['final plan with no decisions at all', { finalPlanIssuedOn: '2025-05-19' }, 'finalPlanIssuedOn', /out of order/],
    ['decision before the request', { decisionToAssess: 'Y', decisionToAssessOn: '2024-12-31' }, 'decisionToAssessOn', /before requestReceivedOn/],
    ['issue decision before the decision to assess', { ...planned, issueDecisionOn: '2025-02-09' }, 'issueDecisionOn', /before decisionToAssessOn/],
    ['plan before the issue decision', { ...planned, finalPlanIssuedOn: '2025-04-27' }, 'finalPlanIssuedOn', /before issueDecisionOn/],
    ['request in the future', { requestReceivedOn: '2026-06-16' }, 'requestReceivedOn', /future/],
    ['plan in the future', { ...planned, finalPlanIssuedOn: '2026-07-01' }, 'finalPlanIssuedOn', /future/],
    ['decision without its date', { decisionToAssess: 'Y' }, 'decisionToAssessOn', /required/],
    ['date without its decision', { decisionToAssessOn: '2025-02-10' }, 'decisionToAssess', /required/],
    ['not Y or N', { decisionToAssess: 'yes', decisionToAssessOn: '2025-02-10' }, 'decisionToAssess', /Y or N/],
    ['a bad date', { withdrawnOn: '2025-02-30' }, 'withdrawnOn', /real date/],
    ['withdrawing an issued plan', { ...planned, withdrawnOn: '2025-06-01' }, 'withdrawnOn', /PLAN_ISSUED/],
    ['withdrawn before the last step', { decisionToAssess: 'Y', decisionToAssessOn: '2025-02-10', withdrawnOn: '2025-02-01' }, 'withdrawnOn', /before decisionToAssessOn/],
    ['a fifth exception reason', { ...planned, exceptionReason: 'HOLIDAY', exceptionFromOn: '2025-02-01', exceptionToOn: '2025-03-31' }, 'exceptionReason', /one of/],
    ['a closure under 4 weeks', { ...planned, exceptionReason: 'SCHOOL_CLOSURE', exceptionFromOn: '2025-02-01', exceptionToOn: '2025-02-27' }, 'exceptionToOn', /4 or more/],
    ['an exception without dates', { ...planned, exceptionReason: 'SCHOOL_CLOSURE' }, 'exceptionFromOn', /required/],
    ['an exception on a case not assessed', { decisionToAssess: 'N', decisionToAssessOn: '2025-02-10', exceptionReason: 'PERSONAL_CIRCUMSTANCES', exceptionFromOn: '2025-02-01', exceptionToOn: '2025-02-03' }, 'exceptionReason', /NOT_ASSESSED/],
    ['unknown requester', { requestedBy: 'NEIGHBOUR' }, 'requestedBy', /one of/],
    ['no request date', { requestReceivedOn: '' }, 'requestReceivedOn', /required/],
  ])('%s: refused on the field', (_name, over, field, message) => {
    const { row, errors } = checkEhcRow(7, cells(over), TODAY);
    expect(errors).toContainEqual({ field, message: expect.stringMatching(message) });
    expect(row.case).toBeNull();
    expect(row.upn).toBe(UPN);
  });

  it('keeps a bad UPN out of the staged row', () => {
    const { row, errors } = checkEhcRow(3, cells({ upn: 'X123' }), TODAY);
    expect(errors.map((e) => e.field)).toEqual(['upn']);
    expect(row.upn).toBeNull();
  });
});

describe('caseDeadlineEnds', () => {
  const of = (over: Record<string, string>) => checkEhcRow(2, cells(over), TODAY).row.case!;
  it.each([
    ['plan issued: all met', planned, ['2025-02-10', null], ['2025-04-28', null], ['2025-05-19', null]],
    ['not assessed: later ones cancelled on the decision', { decisionToAssess: 'N', decisionToAssessOn: '2025-02-10' }, ['2025-02-10', null], [null, '2025-02-10'], [null, '2025-02-10']],
    ['not issued: final plan cancelled', { ...planned, issueDecision: 'N', finalPlanIssuedOn: '' }, ['2025-02-10', null], ['2025-04-28', null], [null, '2025-04-28']],
    ['withdrawn: the rest cancelled', { decisionToAssess: 'Y', decisionToAssessOn: '2025-02-10', withdrawnOn: '2025-03-01' }, ['2025-02-10', null], [null, '2025-03-01'], [null, '2025-03-01']],
    ['open: all open', {}, [null, null], [null, null], [null, null]],
  ])('%s', (_name, over, dta, issue, final) => {
    const ends = caseDeadlineEnds(of(over));
    expect([ends.EHC_DECISION_TO_ASSESS.metOn, ends.EHC_DECISION_TO_ASSESS.cancelledOn]).toEqual(dta);
    expect([ends.EHC_ISSUE_DECISION.metOn, ends.EHC_ISSUE_DECISION.cancelledOn]).toEqual(issue);
    expect([ends.EHC_FINAL_PLAN.metOn, ends.EHC_FINAL_PLAN.cancelledOn]).toEqual(final);
  });
});
