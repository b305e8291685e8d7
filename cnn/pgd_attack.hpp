#pragma once
// Projected gradient descent attacks (Madry et al. 2018) on a Classifier in [0, 1] pixel space: L-inf,
// L2 and L1 perturbation bounds, untargeted or targeted; adversarial accuracy over a range of epsilons;
// the minimal perturbation per image by a search over epsilon; the exact Euclidean projection onto an
// L1 ball. No LibTorch here (cnn/torch_pgd.hpp is the tensor-level side that training also uses).

#include <Eigen/Core>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cnn/classifier.hpp"
#include "cnn/image_batch.hpp"

namespace visalign::cnn {

enum class PerturbationNorm { linf, l2, l1 };

/// "linf" / "l2" / "l1" (std::invalid_argument otherwise) and back.
PerturbationNorm parse_perturbation_norm(const std::string& name);
std::string perturbation_norm_name(PerturbationNorm norm);

struct PgdOptions {
  PerturbationNorm norm = PerturbationNorm::linf;
  double epsilon = 0.1;    // radius of the perturbation ball, in [0, 1] pixel units
  int steps = 10;
  double step_size = 0.0;  // 0: 2 * epsilon / steps (METHODS.md)
  bool targeted = false;   // false: move away from the given labels; true: toward the given target classes
  /// Start from a random point of the ball instead of the image. L-inf: uniform in the cube; L2: a uniform
  /// random direction (normalised Gaussian) times a radius uniform in [0, epsilon]; L1: a uniform random
  /// direction on the L1 sphere (normalised Laplace draws) times a radius uniform in [0, epsilon]; then
  /// clamped to [0, 1]. Image i of the input draws from its own generator seeded with (seed, i), so the
  /// start does not depend on batch_size.
  bool random_start = false;
  std::uint64_t seed = 0;
  int batch_size = 100;    // images per forward/backward pass (results do not depend on it)
  /// L1 steps (sparse L1 descent, Tramer & Boneh 2019): only the coordinates whose |gradient| is among the
  /// largest ceil(l1_top_fraction * pixels) of the image move, each by step_size / (number moved) in the
  /// direction of its gradient sign (so the step has L1 norm step_size); coordinates at 0 or 1 whose
  /// gradient points out of [0, 1] are left out before the selection. In (0, 1].
  double l1_top_fraction = 0.05;
};

/// Per image results of an attack.
struct AttackResult {
  ImageBatch adversarial;                 // [0, 1] pixels, same shape as the input
  Eigen::MatrixXf probabilities;          // images x classes, of the adversarial images
  std::vector<std::int64_t> predicted;    // argmax of probabilities
  std::vector<double> linf, l2, l1;       // norms of adversarial - original, per image
  std::vector<bool> success;              // untargeted: predicted != label; targeted: predicted == target
};

/// PGD on every image. classes: the true labels (untargeted) or the target classes (targeted), one per
/// image. Each iteration: cross-entropy of the logits (summed over the images, so each image gets its own
/// gradient), a step of step_size along the norm's steepest ascent direction (descent when targeted:
/// L-inf sign(g), L2 g / ||g||_2, L1 sparse L1 descent), projection of the perturbation onto the ball
/// (L-inf clamp, L2 radial, L1 exact Euclidean projection), clamp to [0, 1]; the result is the last
/// iterate. Results do not depend on batch_size (up to float rounding in the model). progress(done images,
/// total) after each batch. std::invalid_argument for a wrong class count or channel count, epsilon < 0,
/// steps < 1, step_size < 0, batch_size < 1, l1_top_fraction outside (0, 1], a class outside the model's
/// classes.
AttackResult pgd_attack(const Classifier& classifier, const ImageBatch& pixels, const std::vector<std::int64_t>& classes,
                        const PgdOptions& options, const std::function<void(std::size_t, std::size_t)>& progress = {});

struct RobustnessPoint {
  double epsilon = 0;
  double accuracy = 0;      // fraction of images still classified as their label
  std::int64_t correct = 0;
};

/// Untargeted PGD (options.norm, steps, ...; options.epsilon and options.targeted ignored) at each epsilon,
/// one point per epsilon in the order given; epsilon 0 gives the clean accuracy (no attack). progress(done,
/// total) after each batch, counting images over all epsilons (total = epsilons x images).
/// std::invalid_argument as pgd_attack, and for a negative epsilon.
std::vector<RobustnessPoint> adversarial_accuracy(const Classifier& classifier, const ImageBatch& pixels,
                                                  const std::vector<std::int64_t>& labels, const PgdOptions& options,
                                                  const std::vector<double>& epsilons,
                                                  const std::function<void(std::size_t, std::size_t)>& progress = {});

/// Per image: the smallest epsilon (within `tolerance`) at which untargeted PGD changes the class,
/// by bisection on [0, max_epsilon]; 0 for an image already misclassified; +infinity when PGD at
/// max_epsilon does not succeed. The bisection keeps an upper end at which PGD succeeded and a lower end
/// at which it failed, runs ceil(log2(max_epsilon / tolerance)) steps for every image of a batch at once
/// (one radius per image; step size 2 * eps / steps per image unless options.step_size is set), and
/// returns the upper end. PGD need not fail everywhere below it (it is not monotone in eps), but the
/// returned eps reproduces a success with pgd_attack (same options, seed and image index; up to float
/// rounding in the model, which can differ with the batch composition).
/// options.epsilon and options.targeted are ignored. progress(done images, total) after each batch.
/// std::invalid_argument as pgd_attack, and for max_epsilon <= 0 (or not finite) or tolerance <= 0.
std::vector<double> minimal_epsilons(const Classifier& classifier, const ImageBatch& pixels, const std::vector<std::int64_t>& labels,
                                     const PgdOptions& options, double max_epsilon, double tolerance,
                                     const std::function<void(std::size_t, std::size_t)>& progress = {});

/// The Euclidean projection of each row onto the L1 ball of the given radius (Duchi et al. 2008,
/// sorting; computed in double): rows already inside are unchanged, the others land on the sphere
/// ||x||_1 = radius (radius 0: zero rows). Signs are kept and magnitudes shrink by a common threshold
/// (soft thresholding), which differs from rescaling the row. The same code the L1 attack uses.
/// std::invalid_argument for radius < 0.
Eigen::MatrixXf project_onto_l1_ball(const Eigen::MatrixXf& rows, double radius);

}  // namespace visalign::cnn
