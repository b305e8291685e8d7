#include "cnn/pgd_attack.hpp"

#include "cnn/torch_pgd.hpp"
#include "cnn/seed_streams.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/autograd.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

// PGD (Madry et al. 2018) in [0, 1] pixel space. One iteration, for the iterate x (x0: the clean image):
//   g     = d/dx sum_i CE(logits(x_i), class_i)     (summed per image losses: each image's own gradient)
//   x'    = x + a * d(g)   (untargeted: ascend)     x - a * d(g)   (targeted: descend)
//           d(g) = sign(g) (L-inf), g / ||g||_2 (L2), sparse L1 descent (L1; see PgdOptions::l1_top_fraction)
//   delta = Projection_ball(x' - x0)                 clamp (L-inf), radial (L2), Duchi et al. 2008 (L1)
//   x     = clamp(x0 + delta, 0, 1)
// The last clamp keeps x inside the ball: x0 is in [0, 1], so clamping x0 + delta to [0, 1] moves every
// coordinate of delta toward 0 without changing its sign, which cannot increase any of these norms.
// The attack returns the last iterate (no early stop, no best-iterate bookkeeping), as the reference
// implementation tests/fixtures/make_pgd_fixtures.py does. Written against LibTorch 1.13 and 2.x.

namespace visalign::cnn {
namespace {

using detail::mix_seed;

/// The generator_seed that pgd_attack passes for the batch whose first image is image `first`: image i
/// of the whole input then always gets the seed mix_seed(options.seed) + i, whatever the batch size.
std::uint64_t batch_seed(const PgdOptions& options, std::int64_t first) {
  return mix_seed(options.seed) + static_cast<std::uint64_t>(first);
}

void require_options(const PgdOptions& options, const std::string& what, bool check_epsilon) {
  if (check_epsilon && !(options.epsilon >= 0)) {
    throw std::invalid_argument(what + ": epsilon must be >= 0, found " + std::to_string(options.epsilon));
  }
  if (options.steps < 1) throw std::invalid_argument(what + ": steps must be >= 1, found " + std::to_string(options.steps));
  if (!(options.step_size >= 0)) {
    throw std::invalid_argument(what + ": step_size must be >= 0 (0: 2 * epsilon / steps), found " +
                                std::to_string(options.step_size));
  }
  if (options.batch_size < 1) {
    throw std::invalid_argument(what + ": batch_size must be >= 1, found " + std::to_string(options.batch_size));
  }
  if (options.norm == PerturbationNorm::l1 && !(options.l1_top_fraction > 0 && options.l1_top_fraction <= 1)) {
    throw std::invalid_argument(what + ": l1_top_fraction must be in (0, 1], found " + std::to_string(options.l1_top_fraction));
  }
}

void require_images(const Classifier& classifier, const ImageBatch& pixels, std::size_t class_count, const std::string& what,
                    const std::string& class_word) {
  detail::require_consistent(pixels, what);
  if (pixels.channels != classifier.channels()) {
    throw std::invalid_argument(what + ": the images have " + std::to_string(pixels.channels) +
                                " channels, the classifier expects " + std::to_string(classifier.channels()));
  }
  if (static_cast<std::int64_t>(class_count) != pixels.count) {
    throw std::invalid_argument(what + ": " + std::to_string(class_count) + " " + class_word + " for " +
                                std::to_string(pixels.count) + " images");
  }
}

/// Per image radius (N) as an N x 1 x ... x 1 tensor broadcasting against `like`.
torch::Tensor per_image(const torch::Tensor& values, const torch::Tensor& like) {
  std::vector<std::int64_t> shape(static_cast<std::size_t>(like.dim()), 1);
  shape[0] = like.size(0);
  return values.reshape(shape);
}

/// Random starting perturbations, one generator per image (seeded with mix_seed(image_seeds[i])), drawn on
/// the CPU (the same numbers on any device). epsilon: per image radii.
torch::Tensor random_start(const torch::Tensor& x0, const std::vector<double>& epsilon, const std::vector<std::uint64_t>& image_seeds,
                           PerturbationNorm norm) {
  const std::int64_t count = x0.size(0);
  std::vector<std::int64_t> image_shape(x0.sizes().begin() + 1, x0.sizes().end());
  const std::int64_t size = x0[0].numel();
  const auto options = torch::TensorOptions().dtype(torch::kFloat32);
  std::vector<torch::Tensor> starts;
  starts.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    at::Generator generator = at::detail::createCPUGenerator(mix_seed(image_seeds[static_cast<std::size_t>(i)]));
    const double radius = epsilon[static_cast<std::size_t>(i)];
    torch::Tensor delta;
    if (norm == PerturbationNorm::linf) {
      delta = (torch::rand({size}, generator, options) * 2 - 1) * radius;
    } else {
      torch::Tensor direction;
      if (norm == PerturbationNorm::l2) {
        direction = torch::randn({size}, generator, options);
        direction = direction / direction.norm().clamp_min(1e-30);
      } else {
        // |Laplace| = Exponential(1), random signs: normalised, uniform on the L1 sphere.
        const torch::Tensor magnitude = -torch::log1p(-torch::rand({size}, generator, options));
        const torch::Tensor sign = torch::where(torch::rand({size}, generator, options) < 0.5, -1.0f, 1.0f);
        direction = sign * magnitude / magnitude.sum().clamp_min(1e-30);
      }
      const double scale = radius * torch::rand({1}, generator, torch::TensorOptions().dtype(torch::kFloat64)).item<double>();
      delta = direction * scale;
    }
    starts.push_back(delta.reshape(image_shape));
  }
  return torch::stack(starts).to(x0.device());
}

/// The ascent direction of an L1 step (see PgdOptions::l1_top_fraction): x the iterate, gradient already
/// signed (ascent). N x ... tensors.
torch::Tensor sparse_l1_direction(const torch::Tensor& x, const torch::Tensor& gradient, double top_fraction) {
  const std::int64_t count = x.size(0);
  const torch::Tensor g = gradient.reshape({count, -1});
  const torch::Tensor xf = x.reshape({count, -1});
  const std::int64_t size = g.size(1);
  const torch::Tensor movable = ((g > 0) & (xf < 1)) | ((g < 0) & (xf > 0));
  const torch::Tensor magnitude = g.abs() * movable;
  const auto k = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil(top_fraction * static_cast<double>(size))), 1, size);
  const torch::Tensor threshold = std::get<0>(torch::topk(magnitude, k, 1)).narrow(1, k - 1, 1);
  const torch::Tensor selected = (magnitude >= threshold) & (magnitude > 0);
  const torch::Tensor moved = selected.sum(1, /*keepdim=*/true).clamp_min(1).to(g.scalar_type());
  return (torch::sign(g) * selected / moved).reshape(gradient.sizes());
}

/// Row-wise Duchi projection with a radius per row (N x 1, float64); rows any floating type.
torch::Tensor project_l1(const torch::Tensor& rows, const torch::Tensor& radius) {
  const torch::Tensor v = rows.to(torch::kFloat64);
  const torch::Tensor u = v.abs();
  const std::int64_t size = v.size(1);
  const torch::Tensor sorted = std::get<0>(u.sort(1, /*descending=*/true));
  const torch::Tensor cumulative = sorted.cumsum(1);
  const torch::Tensor j = torch::arange(1, size + 1, v.options());
  // rho = the largest j with sorted_j - (cumsum_j - r) / j > 0 (1-based); at least 1 (radius 0 gives theta = max |v|).
  const torch::Tensor positive = (sorted - (cumulative - radius) / j) > 0;
  const torch::Tensor rho = (positive.to(torch::kFloat64) * j).amax(1, /*keepdim=*/true).clamp_min(1);
  const torch::Tensor theta = ((cumulative.gather(1, rho.to(torch::kInt64) - 1) - radius) / rho).clamp_min(0);
  const torch::Tensor projected = torch::sign(v) * (u - theta).clamp_min(0);
  const torch::Tensor inside = u.sum(1, /*keepdim=*/true) <= radius;
  return torch::where(inside, v, projected).to(rows.scalar_type());
}

/// The attack with one radius per image (epsilon: N values) and one seed per image (image_seeds: N values).
torch::Tensor perturb(const std::function<torch::Tensor(const torch::Tensor&)>& logits, const torch::Tensor& pixels,
                      const torch::Tensor& classes, const PgdOptions& options, const std::vector<double>& epsilon,
                      const std::vector<std::uint64_t>& image_seeds) {
  const torch::Tensor x0 = pixels.detach();
  const std::int64_t count = x0.size(0);
  if (count == 0 || std::all_of(epsilon.begin(), epsilon.end(), [](double e) { return e == 0; })) return x0.clone();

  std::vector<double> step(epsilon.size());
  for (std::size_t i = 0; i < epsilon.size(); ++i) step[i] = options.step_size > 0 ? options.step_size : 2 * epsilon[i] / options.steps;
  const auto float_options = torch::TensorOptions().dtype(torch::kFloat32);
  const torch::Tensor radius = torch::tensor(epsilon, torch::TensorOptions().dtype(torch::kFloat64)).to(x0.device());
  const torch::Tensor radius_image = per_image(radius.to(torch::kFloat32), x0);
  const torch::Tensor step_image = per_image(torch::tensor(step, torch::TensorOptions().dtype(torch::kFloat64)).to(float_options).to(x0.device()), x0);

  auto project = [&](const torch::Tensor& delta) -> torch::Tensor {
    switch (options.norm) {
      case PerturbationNorm::linf:
        return torch::maximum(torch::minimum(delta, radius_image), -radius_image);
      case PerturbationNorm::l2: {
        const torch::Tensor norm = per_image(delta.reshape({count, -1}).norm(2, 1), x0);
        return delta * (radius_image / norm.clamp_min(1e-12)).clamp_max(1);
      }
      case PerturbationNorm::l1:
        return project_l1(delta.reshape({count, -1}), radius.reshape({count, 1})).reshape(delta.sizes());
    }
    return delta;
  };

  torch::Tensor x = x0;
  if (options.random_start) {
    torch::NoGradGuard no_grad;
    x = torch::clamp(x0 + random_start(x0, epsilon, image_seeds, options.norm), 0, 1);
  }
  torch::AutoGradMode enable_grad(true);
  for (int iteration = 0; iteration < options.steps; ++iteration) {
    const torch::Tensor input = x.detach().requires_grad_(true);
    const torch::Tensor output = logits(input);
    if (iteration == 0) {
      if (output.dim() != 2 || output.size(0) != count) {
        throw std::invalid_argument("PGD: the model's logits for " + std::to_string(count) + " images have " +
                                    std::to_string(output.dim()) + " dimensions and " + std::to_string(output.size(0)) +
                                    " rows, expected images x classes");
      }
      const std::int64_t low = classes.min().item<std::int64_t>(), high = classes.max().item<std::int64_t>();
      if (low < 0 || high >= output.size(1)) {
        throw std::invalid_argument("PGD: classes (labels or targets) must be in 0.." + std::to_string(output.size(1) - 1) +
                                    " (the model's classes), found " + std::to_string(low < 0 ? low : high));
      }
    }
    const torch::Tensor loss = torch::cross_entropy_loss(output, classes, {}, at::Reduction::Sum);
    torch::Tensor gradient = torch::autograd::grad({loss}, {input})[0];
    torch::NoGradGuard no_grad;
    if (options.targeted) gradient = -gradient;
    torch::Tensor direction;
    switch (options.norm) {
      case PerturbationNorm::linf:
        direction = torch::sign(gradient);
        break;
      case PerturbationNorm::l2: {
        const torch::Tensor norm = per_image(gradient.reshape({count, -1}).norm(2, 1), x0);
        direction = gradient / torch::where(norm > 0, norm, torch::ones_like(norm));
        break;
      }
      case PerturbationNorm::l1:
        direction = sparse_l1_direction(input.detach(), gradient, options.l1_top_fraction);
        break;
    }
    const torch::Tensor moved = input.detach() + step_image * direction;
    x = torch::clamp(x0 + project(moved - x0), 0, 1);
  }
  return x.detach();
}

std::vector<std::uint64_t> consecutive_seeds(std::uint64_t first, std::int64_t count) {
  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) seeds[static_cast<std::size_t>(i)] = first + static_cast<std::uint64_t>(i);
  return seeds;
}

/// argmax per row of logits or probabilities (first on ties), on the CPU.
std::vector<std::int64_t> argmax_rows(const torch::Tensor& scores) {
  const torch::Tensor best = scores.argmax(1).to(torch::kCPU).to(torch::kInt64).contiguous();
  return std::vector<std::int64_t>(best.data_ptr<std::int64_t>(), best.data_ptr<std::int64_t>() + best.numel());
}

}  // namespace

namespace detail {

torch::Tensor project_rows_onto_l1_ball(const torch::Tensor& rows, double radius) {
  if (!(radius >= 0)) throw std::invalid_argument("project_onto_l1_ball: radius must be >= 0, found " + std::to_string(radius));
  if (rows.dim() != 2) throw std::invalid_argument("project_onto_l1_ball: expected an N x D tensor");
  if (rows.size(0) == 0 || rows.size(1) == 0) return rows.clone();
  const torch::Tensor r = torch::full({rows.size(0), 1}, radius, rows.options().dtype(torch::kFloat64));
  return project_l1(rows, r);
}

torch::Tensor pgd_perturb(const std::function<torch::Tensor(const torch::Tensor&)>& logits, const torch::Tensor& pixels,
                          const torch::Tensor& classes, const PgdOptions& options, std::uint64_t generator_seed) {
  require_options(options, "pgd_perturb", true);
  if (pixels.dim() < 2) throw std::invalid_argument("pgd_perturb: pixels must be N x C x H x W");
  if (classes.dim() != 1 || classes.size(0) != pixels.size(0)) {
    throw std::invalid_argument("pgd_perturb: " + std::to_string(classes.numel()) + " classes for " +
                                std::to_string(pixels.size(0)) + " images");
  }
  const std::int64_t count = pixels.size(0);
  return perturb(logits, pixels, classes.to(pixels.device(), torch::kInt64), options, std::vector<double>(static_cast<std::size_t>(count), options.epsilon),
                 consecutive_seeds(generator_seed, count));
}

}  // namespace detail

PerturbationNorm parse_perturbation_norm(const std::string& name) {
  if (name == "linf") return PerturbationNorm::linf;
  if (name == "l2") return PerturbationNorm::l2;
  if (name == "l1") return PerturbationNorm::l1;
  throw std::invalid_argument("perturbation norm must be \"linf\", \"l2\" or \"l1\", found \"" + name + "\"");
}

std::string perturbation_norm_name(PerturbationNorm norm) {
  switch (norm) {
    case PerturbationNorm::linf:
      return "linf";
    case PerturbationNorm::l2:
      return "l2";
    case PerturbationNorm::l1:
      return "l1";
  }
  return "unknown";
}

AttackResult pgd_attack(const Classifier& classifier, const ImageBatch& pixels, const std::vector<std::int64_t>& classes,
                        const PgdOptions& options, const std::function<void(std::size_t, std::size_t)>& progress) {
  require_options(options, "pgd_attack", true);
  require_images(classifier, pixels, classes.size(), "pgd_attack", options.targeted ? "target classes" : "labels");
  const Classifier::Impl& impl = classifier.impl();
  AttackResult result;
  result.adversarial = pixels;
  const auto count = static_cast<std::size_t>(pixels.count);
  result.predicted.resize(count);
  result.linf.resize(count);
  result.l2.resize(count);
  result.l1.resize(count);
  result.success.resize(count);
  const std::int64_t per_image = pixels.channels * pixels.height * pixels.width;
  for (std::int64_t start = 0; start < pixels.count; start += options.batch_size) {
    const std::int64_t n = std::min<std::int64_t>(options.batch_size, pixels.count - start);
    const torch::Tensor x0 = detail::to_tensor(pixels, impl.device, start, n);
    const std::vector<std::int64_t> batch_classes(classes.begin() + start, classes.begin() + start + n);
    const torch::Tensor adversarial =
        detail::pgd_perturb(impl.logits, x0, detail::to_label_tensor(batch_classes, impl.device), options, batch_seed(options, start));
    torch::NoGradGuard no_grad;
    const torch::Tensor probabilities = torch::softmax(impl.logits(adversarial), 1).to(torch::kCPU).to(torch::kFloat32).contiguous();
    if (result.probabilities.size() == 0) result.probabilities.resize(pixels.count, probabilities.size(1));
    using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    result.probabilities.middleRows(start, n) = Eigen::Map<const RowMajor>(probabilities.data_ptr<float>(), n, probabilities.size(1));
    const torch::Tensor adversarial_cpu = adversarial.to(torch::kCPU).to(torch::kFloat32).contiguous();
    std::copy(adversarial_cpu.data_ptr<float>(), adversarial_cpu.data_ptr<float>() + n * per_image,
              result.adversarial.values.begin() + start * per_image);
    const torch::Tensor delta = (adversarial_cpu.to(torch::kFloat64) - x0.to(torch::kCPU).to(torch::kFloat64)).reshape({n, -1});
    const torch::Tensor linf = delta.abs().amax(1).contiguous(), l2 = delta.norm(2, 1).contiguous(), l1 = delta.abs().sum(1).contiguous();
    const std::vector<std::int64_t> predicted = argmax_rows(probabilities);
    for (std::int64_t i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(start + i);
      result.predicted[k] = predicted[static_cast<std::size_t>(i)];
      result.linf[k] = linf.data_ptr<double>()[i];
      result.l2[k] = l2.data_ptr<double>()[i];
      result.l1[k] = l1.data_ptr<double>()[i];
      result.success[k] = options.targeted ? result.predicted[k] == classes[k] : result.predicted[k] != classes[k];
    }
    if (progress) progress(static_cast<std::size_t>(start + n), count);
  }
  return result;
}

std::vector<RobustnessPoint> adversarial_accuracy(const Classifier& classifier, const ImageBatch& pixels,
                                                  const std::vector<std::int64_t>& labels, const PgdOptions& options,
                                                  const std::vector<double>& epsilons,
                                                  const std::function<void(std::size_t, std::size_t)>& progress) {
  require_options(options, "adversarial_accuracy", false);
  require_images(classifier, pixels, labels.size(), "adversarial_accuracy", "labels");
  for (double epsilon : epsilons) {
    if (!(epsilon >= 0)) throw std::invalid_argument("adversarial_accuracy: epsilons must be >= 0, found " + std::to_string(epsilon));
  }
  const Classifier::Impl& impl = classifier.impl();
  PgdOptions untargeted = options;
  untargeted.targeted = false;
  std::vector<RobustnessPoint> points;
  const std::size_t total = epsilons.size() * static_cast<std::size_t>(pixels.count);
  std::size_t done = 0;
  for (double epsilon : epsilons) {
    untargeted.epsilon = epsilon;
    RobustnessPoint point;
    point.epsilon = epsilon;
    for (std::int64_t start = 0; start < pixels.count; start += options.batch_size) {
      const std::int64_t n = std::min<std::int64_t>(options.batch_size, pixels.count - start);
      const torch::Tensor x0 = detail::to_tensor(pixels, impl.device, start, n);
      const std::vector<std::int64_t> batch_labels(labels.begin() + start, labels.begin() + start + n);
      const torch::Tensor adversarial =
          epsilon == 0 ? x0
                       : detail::pgd_perturb(impl.logits, x0, detail::to_label_tensor(batch_labels, impl.device), untargeted,
                                             batch_seed(untargeted, start));
      torch::NoGradGuard no_grad;
      const std::vector<std::int64_t> predicted = argmax_rows(impl.logits(adversarial));
      for (std::int64_t i = 0; i < n; ++i) point.correct += predicted[static_cast<std::size_t>(i)] == batch_labels[static_cast<std::size_t>(i)] ? 1 : 0;
      done += static_cast<std::size_t>(n);
      if (progress) progress(done, total);
    }
    point.accuracy = pixels.count > 0 ? static_cast<double>(point.correct) / static_cast<double>(pixels.count) : 0.0;
    points.push_back(point);
  }
  return points;
}

std::vector<double> minimal_epsilons(const Classifier& classifier, const ImageBatch& pixels, const std::vector<std::int64_t>& labels,
                                     const PgdOptions& options, double max_epsilon, double tolerance,
                                     const std::function<void(std::size_t, std::size_t)>& progress) {
  require_options(options, "minimal_epsilons", false);
  require_images(classifier, pixels, labels.size(), "minimal_epsilons", "labels");
  if (!(max_epsilon > 0) || !std::isfinite(max_epsilon)) {
    throw std::invalid_argument("minimal_epsilons: max_epsilon must be positive and finite, found " + std::to_string(max_epsilon));
  }
  if (!(tolerance > 0)) throw std::invalid_argument("minimal_epsilons: tolerance must be positive, found " + std::to_string(tolerance));
  const Classifier::Impl& impl = classifier.impl();
  PgdOptions untargeted = options;
  untargeted.targeted = false;
  const std::uint64_t base_seed = mix_seed(options.seed);
  std::vector<double> result(static_cast<std::size_t>(pixels.count), 0.0);
  const int bisections = static_cast<int>(std::ceil(std::log2(max_epsilon / tolerance)));
  for (std::int64_t start = 0; start < pixels.count; start += options.batch_size) {
    const std::int64_t n = std::min<std::int64_t>(options.batch_size, pixels.count - start);
    const torch::Tensor x_all = detail::to_tensor(pixels, impl.device, start, n);
    const std::vector<std::int64_t> batch_labels(labels.begin() + start, labels.begin() + start + n);
    const torch::Tensor labels_all = detail::to_label_tensor(batch_labels, impl.device);
    // Images still searched: batch positions, their seeds, upper (succeeds) and lower (fails) bounds.
    std::vector<std::int64_t> active;
    {
      torch::NoGradGuard no_grad;
      const std::vector<std::int64_t> predicted = argmax_rows(impl.logits(x_all));
      for (std::int64_t i = 0; i < n; ++i) {
        if (predicted[static_cast<std::size_t>(i)] == batch_labels[static_cast<std::size_t>(i)]) active.push_back(i);
      }
    }
    // PGD on the active images at the given radii: success per active image.
    auto succeeds = [&](const std::vector<std::int64_t>& which, const std::vector<double>& radii) {
      const torch::Tensor index = torch::tensor(which, torch::kInt64).to(impl.device);
      const torch::Tensor x0 = x_all.index_select(0, index);
      const torch::Tensor y = labels_all.index_select(0, index);
      std::vector<std::uint64_t> seeds;
      for (std::int64_t i : which) seeds.push_back(base_seed + static_cast<std::uint64_t>(start + i));
      const torch::Tensor adversarial = perturb(impl.logits, x0, y, untargeted, radii, seeds);
      torch::NoGradGuard no_grad;
      const std::vector<std::int64_t> predicted = argmax_rows(impl.logits(adversarial));
      std::vector<bool> success(which.size());
      for (std::size_t k = 0; k < which.size(); ++k) success[k] = predicted[k] != batch_labels[static_cast<std::size_t>(which[k])];
      return success;
    };
    if (!active.empty()) {
      const std::vector<bool> at_max = succeeds(active, std::vector<double>(active.size(), max_epsilon));
      std::vector<std::int64_t> searched;
      for (std::size_t k = 0; k < active.size(); ++k) {
        if (at_max[k]) {
          searched.push_back(active[k]);
        } else {
          result[static_cast<std::size_t>(start + active[k])] = std::numeric_limits<double>::infinity();
        }
      }
      std::vector<double> low(searched.size(), 0.0), high(searched.size(), max_epsilon);
      for (int b = 0; b < bisections && !searched.empty(); ++b) {
        std::vector<double> middle(searched.size());
        for (std::size_t k = 0; k < searched.size(); ++k) middle[k] = 0.5 * (low[k] + high[k]);
        const std::vector<bool> success = succeeds(searched, middle);
        for (std::size_t k = 0; k < searched.size(); ++k) (success[k] ? high[k] : low[k]) = middle[k];
      }
      for (std::size_t k = 0; k < searched.size(); ++k) result[static_cast<std::size_t>(start + searched[k])] = high[k];
    }
    if (progress) progress(static_cast<std::size_t>(start + n), static_cast<std::size_t>(pixels.count));
  }
  return result;
}

Eigen::MatrixXf project_onto_l1_ball(const Eigen::MatrixXf& rows, double radius) {
  if (!(radius >= 0)) throw std::invalid_argument("project_onto_l1_ball: radius must be >= 0, found " + std::to_string(radius));
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  RowMajor input = rows;
  if (input.size() == 0) return rows;
  const torch::Tensor tensor = torch::from_blob(input.data(), {input.rows(), input.cols()}, torch::kFloat32);
  const torch::Tensor projected = detail::project_rows_onto_l1_ball(tensor, radius).contiguous();
  return Eigen::Map<const RowMajor>(projected.data_ptr<float>(), input.rows(), input.cols());
}

}  // namespace visalign::cnn
