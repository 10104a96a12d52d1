// Shared with the printable report (charts/rate-bars.ts).
export * from '../../../charts/rate-bars';
