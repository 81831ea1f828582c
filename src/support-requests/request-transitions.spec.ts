import { ProblemException } from '../common/problem/problem.exception';
import { decideAction, INITIAL_REQUEST_STATUS, nextRequestStatus, REQUEST_ACTIONS, type RequestAction, requestTransition } from './request-transitions';
import { SUPPORT_REQUEST_STATUSES, type SupportRequestStatus } from './support-request.entity';

/** Every (status, action) pair of the request state machine: the allowed ones and where they lead; null = refused. */
const TABLE: Record<SupportRequestStatus, Record<RequestAction, SupportRequestStatus | null>> = {
  DRAFT: {
    SUBMIT: 'SUBMITTED', WITHDRAW: 'WITHDRAWN',
    DECIDE_APPROVED: null, DECIDE_PARTIAL: null, DECIDE_DECLINED: null, DECIDE_DEFERRED: null, PROVIDER_DECLINE: null,
  },
  SUBMITTED: {
    SUBMIT: null, WITHDRAW: 'WITHDRAWN',
    DECIDE_APPROVED: 'APPROVED', DECIDE_PARTIAL: 'PARTIALLY_APPROVED', DECIDE_DECLINED: 'DECLINED', DECIDE_DEFERRED: 'DEFERRED',
    PROVIDER_DECLINE: null,
  },
  DEFERRED: {
    SUBMIT: null, WITHDRAW: 'WITHDRAWN',
    DECIDE_APPROVED: 'APPROVED', DECIDE_PARTIAL: 'PARTIALLY_APPROVED', DECIDE_DECLINED: 'DECLINED', DECIDE_DEFERRED: 'DEFERRED',
    PROVIDER_DECLINE: null,
  },
  APPROVED: {
    SUBMIT: null, WITHDRAW: null,
    DECIDE_APPROVED: null, DECIDE_PARTIAL: null, DECIDE_DECLINED: null, DECIDE_DEFERRED: null, PROVIDER_DECLINE: 'SUBMITTED',
  },
  PARTIALLY_APPROVED: {
    SUBMIT: null, WITHDRAW: null,
    DECIDE_APPROVED: null, DECIDE_PARTIAL: null, DECIDE_DECLINED: null, DECIDE_DEFERRED: null, PROVIDER_DECLINE: 'SUBMITTED',
  },
  DECLINED: {
    SUBMIT: null, WITHDRAW: null,
    DECIDE_APPROVED: null, DECIDE_PARTIAL: null, DECIDE_DECLINED: null, DECIDE_DEFERRED: null, PROVIDER_DECLINE: null,
  },
  WITHDRAWN: {
    SUBMIT: null, WITHDRAW: null,
    DECIDE_APPROVED: null, DECIDE_PARTIAL: null, DECIDE_DECLINED: null, DECIDE_DEFERRED: null, PROVIDER_DECLINE: null,
  },
};

const CASES = SUPPORT_REQUEST_STATUSES.flatMap((status) => REQUEST_ACTIONS.map((action) => [status, action, TABLE[status][action]] as const));

describe('support request state machine', () => {
  it('the table covers every status and every action', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...SUPPORT_REQUEST_STATUSES].sort());
    for (const status of SUPPORT_REQUEST_STATUSES) expect(Object.keys(TABLE[status]).sort()).toEqual([...REQUEST_ACTIONS].sort());
    expect(CASES).toHaveLength(SUPPORT_REQUEST_STATUSES.length * REQUEST_ACTIONS.length);
  });

  it('a new request starts as a DRAFT', () => {
    expect(INITIAL_REQUEST_STATUS).toBe('DRAFT');
  });

  it.each(CASES)('%s + %s -> %s', (status, action, expected) => {
    expect(nextRequestStatus(status, action)).toBe(expected);
    if (expected) {
      expect(requestTransition(status, action)).toBe(expected);
    } else {
      let thrown: unknown;
      try {
        requestTransition(status, action);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ProblemException);
      const problem = thrown as ProblemException;
      expect(problem.type).toBe('invalid-transition');
      expect(problem.status).toBe(409);
      expect(problem.extensions).toEqual({ currentStatus: status });
      expect(problem.detail).toContain(`is ${status}`);
    }
  });

  it.each([
    ['APPROVED', 'DECIDE_APPROVED'],
    ['PARTIAL', 'DECIDE_PARTIAL'],
    ['DECLINED', 'DECIDE_DECLINED'],
    ['DEFERRED', 'DECIDE_DEFERRED'],
  ] as const)('the decision outcome %s is the action %s', (outcome, action) => {
    expect(decideAction(outcome)).toBe(action);
  });
});
