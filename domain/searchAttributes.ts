/**
 * Custom search attributes that make the Temporal Web UI Quorum's monitoring console.
 * Registered by the launcher (cli/stack) and by deploy/, set by workflows as they progress.
 */
export const SEARCH_ATTRIBUTES = {
  QuorumKind: 'Keyword',
  Repository: 'Keyword',
  Verdict: 'Keyword',
  RiskLevel: 'Keyword',
  GateStage: 'Keyword',
  ModelVersion: 'Keyword',
  FindingCount: 'Int',
} as const;
export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;
