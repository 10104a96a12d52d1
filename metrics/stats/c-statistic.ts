/**
 * The c-statistic: the probability that a random episode with the outcome has a higher
 * fitted probability than a random one without it, ties counting ½ (the Mann–Whitney
 * form of the area under the ROC curve; Hanley & McNeil 1982; R `pROC::auc`). `weights`
 * are frequencies: a row of weight k counts as k episodes.
 */
export function cStatistic(y: ArrayLike<number>, score: ArrayLike<number>, weights?: ArrayLike<number>): number {
  const wt = (i: number): number => (weights === undefined ? 1 : (weights[i] as number));
  const order = Array.from({ length: score.length }, (_, i) => i).sort((a, b) => (score[a] as number) - (score[b] as number));
  let negativesBelow = 0;
  let concordant = 0;
  let positives = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && score[order[end + 1] as number] === score[order[start] as number]) end++;
    let pos = 0;
    let neg = 0;
    for (let k = start; k <= end; k++) {
      const i = order[k] as number;
      if ((y[i] as number) === 1) pos += wt(i);
      else neg += wt(i);
    }
    concordant += pos * negativesBelow + 0.5 * pos * neg;
    negativesBelow += neg;
    positives += pos;
    start = end + 1;
  }
  return concordant / (positives * negativesBelow);
}
