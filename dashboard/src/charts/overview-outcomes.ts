// Shared with the printable report (charts/overview-outcomes.ts).
export * from '../../../charts/overview-outcomes';
