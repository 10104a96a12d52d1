export { generateCohort, type GenerateOptions, type GenerateSummary, type GeneratedFile } from './generate-cohort';
