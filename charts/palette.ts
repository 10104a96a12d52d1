// Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision
// deficiencies. Yellow goes last because it is faint on white.
export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#F0E442'];

export const CLASS_COLOURS: Record<string, string> = {
  recovered: '#009E73',
  improved: '#56B4E9',
  unchanged: '#BBBBBB',
  deteriorated: '#D55E00',
  suppressed: '#EEEEEE',
};

export const ALERT = '#D55E00';
export const NEUTRAL = '#555555';
