export { canonicalManifestLine, ManifestLineError, parseManifestLines } from './manifest-lines';
export { checkPlan, type PlanFindings, type PlanIssue, type PlannedSelection } from './plan-checks';
export { selectRecords, type SelectedRecords } from './selection';
