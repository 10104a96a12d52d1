// The formatting helpers live with the shared chart functions (charts/format.ts), which the printable report draws too.
export * from '../../charts/format';
