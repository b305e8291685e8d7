#pragma once
// The tensor-level PGD that cnn/pgd_attack.cpp and adversarial training share. cnn sources only.

#include <torch/types.h>

#include "cnn/pgd_attack.hpp"
#include "cnn/torch_classifier.hpp"

namespace visalign::cnn::detail {

/// Adversarial images for a batch: pixels (N x C x H x W in [0, 1], on logits' device), classes (N, int64:
/// labels or, if options.targeted, targets). `logits` maps pixels to logits (a Classifier::Impl's, or a
/// network in training mode: its mode is the caller's choice; in eval mode each image's gradient is its
/// own, since the per image losses are summed). Returns the adversarial pixels (detached, in [0, 1], inside
/// the epsilon ball around `pixels`): the last of options.steps iterates (see cnn/pgd_attack.cpp).
/// options.batch_size is not used here (the caller batches). Gradients are enabled inside whatever the
/// caller's grad mode; only the input's gradient is computed (parameters' .grad stay untouched).
/// Random start (options.random_start): image j of the batch draws from its own CPU generator seeded with
/// splitmix64(generator_seed + j), then moved to the device (the same start on any device). pgd_attack
/// passes splitmix64(options.seed) + (index of the batch's first image), so image i of its input always
/// gets generator_seed + j = splitmix64(seed) + i, whatever the batch size; other callers (training) should
/// pass seeds that differ by at least the batch size between batches (or are hashed), or starts repeat.
/// std::invalid_argument for invalid options (as pgd_attack), a class count different from N, or a class
/// outside 0..(logit count - 1).
torch::Tensor pgd_perturb(const std::function<torch::Tensor(const torch::Tensor&)>& logits, const torch::Tensor& pixels,
                          const torch::Tensor& classes, const PgdOptions& options, std::uint64_t generator_seed);

/// Row-wise Euclidean projection onto the L1 ball of the given radius (N x D floating tensor, any device;
/// computed in float64, returned in the input's type): Duchi et al. 2008 with sort, cumsum and gather, as
/// project_onto_l1_ball. std::invalid_argument for radius < 0 or a tensor that is not 2-D.
torch::Tensor project_rows_onto_l1_ball(const torch::Tensor& rows, double radius);

}  // namespace visalign::cnn::detail
