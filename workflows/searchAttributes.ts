import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Typed keys for the attributes listed in domain/searchAttributes.ts. */
export const QuorumKind = defineSearchAttributeKey('QuorumKind', SearchAttributeType.KEYWORD);
export const Repository = defineSearchAttributeKey('Repository', SearchAttributeType.KEYWORD);
export const Verdict = defineSearchAttributeKey('Verdict', SearchAttributeType.KEYWORD);
export const RiskLevel = defineSearchAttributeKey('RiskLevel', SearchAttributeType.KEYWORD);
export const GateStage = defineSearchAttributeKey('GateStage', SearchAttributeType.KEYWORD);
export const ModelVersion = defineSearchAttributeKey('ModelVersion', SearchAttributeType.KEYWORD);
export const FindingCount = defineSearchAttributeKey('FindingCount', SearchAttributeType.INT);
