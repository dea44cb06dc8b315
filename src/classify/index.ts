// Classification: spend line -> theme, COFOG division, prevention level, with the rule that decided.
// See README.md in this folder.
export { Classifier, UNCLASSIFIED, type CompilableRule } from './classifier.ts';
export type { ClassifiableLine, Classification, Rule, RuleCondition, ConditionField, ConditionOp, LineField } from './types.ts';
export { UNCLASSIFIED_THEME, CONDITION_FIELDS, CONDITION_OPS, COMPOSITE_FIELDS, LINE_FIELDS } from './types.ts';
export { parseConditionText, formatCondition } from './conditions.ts';
export { checkRule, checkRules, RuleValidationError, type RuleInput, type RuleDraft } from './validate.ts';
export {
  ClassificationError, listTaxonomy, listRules, addRule, setRuleEnabled, moveRule, exportRules, importRules,
  reclassify, coverageReport, isBodyOnlyRule, DEFAULT_GROUP_BY, GROUPABLE_FIELDS,
  type Taxonomy, type AddRuleInput, type RulesFile, type ImportResult, type ReclassifyResult,
  type Coverage, type BodyCoverage, type UnclassifiedGroup, type RuleCoverage, type CoverageReport,
} from './service.ts';
