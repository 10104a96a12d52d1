// The palette lives with the shared chart functions (charts/palette.ts), which the printable report draws too.
export * from '../../charts/palette';
