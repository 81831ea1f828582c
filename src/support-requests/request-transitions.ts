import { ProblemException } from '../common/problem/problem.exception';
import type { DecisionOutcome } from './support-request-decision.entity';
import type { SupportRequestStatus } from './support-request.entity';

/**
 * THE support request state machine (API.md "Support requests and panels"), as one table:
 * creating a request makes a DRAFT; then
 * - SUBMIT: DRAFT -> SUBMITTED (REQUEST_DECISION deadline opened);
 * - WITHDRAW: DRAFT, SUBMITTED or DEFERRED -> WITHDRAWN (deadline cancelled);
 * - DECIDE_<outcome> by the panel, from SUBMITTED or DEFERRED: APPROVED -> APPROVED, PARTIAL ->
 *   PARTIALLY_APPROVED, DECLINED -> DECLINED, DEFERRED -> DEFERRED (heard again later: a deferred
 *   request can be decided again);
 * - PROVIDER_DECLINE: a provider declines the allocation of an APPROVED or PARTIALLY_APPROVED
 *   request, which goes back to SUBMITTED (needsReallocation) to be heard again.
 * Every other (status, action) pair is refused: 409 /problems/invalid-transition.
 */
export type RequestAction =
  | 'SUBMIT'
  | 'WITHDRAW'
  | 'DECIDE_APPROVED'
  | 'DECIDE_PARTIAL'
  | 'DECIDE_DECLINED'
  | 'DECIDE_DEFERRED'
  | 'PROVIDER_DECLINE';

export const REQUEST_ACTIONS: readonly RequestAction[] = [
  'SUBMIT',
  'WITHDRAW',
  'DECIDE_APPROVED',
  'DECIDE_PARTIAL',
  'DECIDE_DECLINED',
  'DECIDE_DEFERRED',
  'PROVIDER_DECLINE',
];

/** The state a new request starts in. */
export const INITIAL_REQUEST_STATUS: SupportRequestStatus = 'DRAFT';

const DECIDABLE: readonly SupportRequestStatus[] = ['SUBMITTED', 'DEFERRED'];

const TRANSITIONS: Record<RequestAction, { from: readonly SupportRequestStatus[]; to: SupportRequestStatus }> = {
  SUBMIT: { from: ['DRAFT'], to: 'SUBMITTED' },
  WITHDRAW: { from: ['DRAFT', 'SUBMITTED', 'DEFERRED'], to: 'WITHDRAWN' },
  DECIDE_APPROVED: { from: DECIDABLE, to: 'APPROVED' },
  DECIDE_PARTIAL: { from: DECIDABLE, to: 'PARTIALLY_APPROVED' },
  DECIDE_DECLINED: { from: DECIDABLE, to: 'DECLINED' },
  DECIDE_DEFERRED: { from: DECIDABLE, to: 'DEFERRED' },
  PROVIDER_DECLINE: { from: ['APPROVED', 'PARTIALLY_APPROVED'], to: 'SUBMITTED' },
};

/** The action a panel decision of this outcome takes. */
export function decideAction(outcome: DecisionOutcome): RequestAction {
  return `DECIDE_${outcome}`;
}

/** The state `action` leads to from `status`, or null when the machine does not allow it. */
export function nextRequestStatus(status: SupportRequestStatus, action: RequestAction): SupportRequestStatus | null {
  const rule = TRANSITIONS[action];
  return rule.from.includes(status) ? rule.to : null;
}

/** The next state, or 409 /problems/invalid-transition naming the current one (`currentStatus`). */
export function requestTransition(status: SupportRequestStatus, action: RequestAction): SupportRequestStatus {
  const next = nextRequestStatus(status, action);
  if (next) return next;
  const { from, to } = TRANSITIONS[action];
  throw new ProblemException(
    'invalid-transition',
    `the support request is ${status}; only a request that is ${from.join(' or ')} can become ${to}`,
    undefined,
    { currentStatus: status },
  );
}
