export {
  LOCAL_COORDINATOR,
  LOCAL_GROUP_VIEW,
  type CoordinationStatus,
  type Coordinator,
  type GroupView,
  type Lease,
  type LeaseRequest,
  type SessionKind,
} from './coordinator.js';
export { startCoordinator } from './start-coordinator.js';
export { budgetLimitsOf, coordinationSettings, type BudgetLimits, type CoordinationSettings } from './settings.js';
