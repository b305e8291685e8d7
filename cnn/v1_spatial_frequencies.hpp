#pragma once
// The preferred spatial frequencies of foveal macaque V1 cells (De Valois, Albrecht & Thorell 1982,
// as tabulated in METHODS.md, "Spatial-frequency tuning"): the reference distribution against which
// a model's preferred-SF histogram is scored, and from which the V1 simulator draws its cells.
// Frequencies in cycles per degree. No LibTorch here.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace visalign::cnn {

/// A histogram over spatial-frequency bins: edges (bins + 1, increasing, cycles/degree) and counts per bin.
struct SpatialFrequencyHistogram {
  std::vector<double> edges;
  std::vector<double> counts;
};

/// De Valois et al. (1982): left edges 0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8.0, right edge 11.2 c/deg;
/// cell counts 0, 3, 3, 6, 17, 22, 18, 19, 9, 4 (101 cells).
SpatialFrequencyHistogram de_valois_v1_distribution();

/// `count` frequencies drawn from the histogram: a bin with probability proportional to its count, then
/// log-uniform inside the bin. Deterministic for a seed (own integer-to-double conversion, so the
/// same on every platform). std::invalid_argument for a histogram without positive counts.
std::vector<double> sample_spatial_frequencies(const SpatialFrequencyHistogram& distribution, std::size_t count,
                                               std::uint64_t seed);

/// Counts of `frequencies` in the bins of `bins` (left-closed bins, the last one closed; values below the
/// first edge go to the first bin, above the last edge to the last bin; NaN values are not counted).
std::vector<double> bin_spatial_frequencies(const SpatialFrequencyHistogram& bins, const std::vector<double>& frequencies);

/// 1 - max over bins |CDF_a - CDF_b| of two count vectors over the same bins (Kolmogorov-Smirnov distance
/// on the binned distributions). 1: identical shapes. std::invalid_argument for different lengths or a
/// vector without positive counts.
double distribution_similarity(const std::vector<double>& counts_a, const std::vector<double>& counts_b);

}  // namespace visalign::cnn
