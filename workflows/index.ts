/** Every workflow the workers register; the SDK bundles this module for its sandbox. */
export { verifyAuditChainWorkflow } from './auditVerification';
export { consensusWorkflow } from './consensus';
export { modelCallWorkflow } from './modelCall';
export { reviewWorkflow } from './review';
