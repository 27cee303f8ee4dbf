/** Every workflow the workers register; the SDK bundles this module for its sandbox. */
export { verifyAuditChainWorkflow } from './auditVerification';
export {
  batchAnalysisWorkflow,
  commitAnalysisWorkflow,
  commitSliceWorkflow,
} from './commitAnalysis';
export { consensusWorkflow } from './consensus';
export { gateStageWorkflow, regressionEvalWorkflow, updateGateWorkflow } from './gate';
export { modelCallWorkflow } from './modelCall';
export { reviewWorkflow } from './review';
