/**
 * The geometry neural collapse converges to (THEORY.md entry 21; Papyan, Han & Donoho, PNAS 2020,
 * arXiv:2008.08186; unconstrained-features model: Zhu et al., NeurIPS 2021, arXiv:2105.02375).
 *
 * In the terminal phase of training (past zero training error, with weight decay), the centred class means
 * m_c = mu_c - mu_G of the penultimate features approach a simplex equiangular tight frame (ETF):
 *
 *     ||m_c|| equal for all c,   cos(m_c, m_c') = -1/(K-1) for c != c',
 *
 * the classifier's class vectors align with them (self-duality, cos(w_c, m_c) -> 1), the within-class spread
 * vanishes relative to the between-class spread (NC1 = tr(Sigma_W Sigma_B^+)/K -> 0), and the network decides
 * like the nearest-class-centre rule (NC4 -> 0). THEORY.md predicts each NC metric decreases monotonically,
 * roughly as a power law in epochs, without a closed-form rate: only the limits are quantitative. For
 * CE with weight decay on both features and classifier, the global minimizers of the unconstrained-features
 * model are exactly this geometry (Zhu et al. 2021), which is what a small MLP trained long enough approaches.
 *
 * One caveat the metrics inherit: for balanced classes sum_c m_c = 0, so whenever the norms are equal the MEAN
 * pairwise cosine is exactly -1/(K-1), collapsed or not. The informative NC2 statistics are the spread of the
 * cosines (equiangularity, max-angle) and the norms (equinorm), or each cosine separately.
 */

/** The pairwise cosine of a K-class simplex ETF: -1/(K-1). */
export function simplexEtfCosine(numClasses: number): number {
  if (!(Number.isInteger(numClasses) && numClasses >= 2))
    throw new RangeError(`need K >= 2 classes, got ${numClasses}`);
  return -1 / (numClasses - 1);
}

/**
 * A simplex ETF: K vectors of norm `scale` in R^dim (dim >= K - 1), pairwise cosine -1/(K-1), summing to 0.
 * Built as sqrt(K/(K-1)) (e_c - 1/K) in R^K, mapped to R^(K-1) by an orthonormal basis of the sum-zero subspace
 * (Helmert contrasts) and padded with zeros to `dim`. Returned as K rows.
 */
export function simplexEtf(numClasses: number, dim: number, scale = 1): number[][] {
  const k = numClasses;
  simplexEtfCosine(k);
  if (!(dim >= k - 1)) throw new RangeError(`a K-class ETF needs dim >= K - 1 = ${k - 1}, got ${dim}`);
  // Helmert basis of {x in R^K : sum x = 0}: b_j = (1, ..., 1, -j, 0, ...) / sqrt(j (j + 1)), j = 1..K-1.
  const basis = Array.from({ length: k - 1 }, (_, idx) => {
    const j = idx + 1;
    const norm = Math.sqrt(j * (j + 1));
    return Array.from({ length: k }, (_, c) => (c < j ? 1 : c === j ? -j : 0) / norm);
  });
  const factor = scale * Math.sqrt(k / (k - 1));
  return Array.from({ length: k }, (_, c) => {
    const row = new Array<number>(dim).fill(0);
    for (let j = 0; j < k - 1; j++) row[j] = factor * (basis[j][c] - basis[j].reduce((s, v) => s + v, 0) / k);
    return row;
  });
}

/** The limits NC metrics approach in the terminal phase (THEORY.md entry 21), for K classes. */
export function neuralCollapseLimits(numClasses: number): {
  cosine: number;
  selfDualityCosine: number;
  nc1: number;
  equinorm: number;
  nc4: number;
  betweenShare: number;
} {
  return {
    cosine: simplexEtfCosine(numClasses),
    selfDualityCosine: 1,
    nc1: 0,
    equinorm: 0,
    nc4: 0,
    betweenShare: 1,
  };
}
