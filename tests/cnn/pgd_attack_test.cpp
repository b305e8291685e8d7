// Tests of cnn/pgd_attack: the L1-ball projection (properties, an independent solution by bisection on the
// threshold, the optimality condition), PGD against an independent python3-torch implementation on a tiny
// Fashion-MNIST CNN (fixtures pgd_small_cnn.pt, pgd_model.json, pgd_<case>.json from
// tests/fixtures/make_pgd_fixtures.py), independence of the batch size, adversarial accuracy over epsilon,
// targeted attacks, minimal epsilons, and the errors.

#include "cnn/pgd_attack.hpp"

#include <gtest/gtest.h>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cnn/classifier.hpp"
#include "cnn/labelled_images.hpp"
#include "cnn/torchscript_model.hpp"
#include "tests/fixture_json.hpp"
#include "tests/test_data.hpp"
#include "tests/cnn/cnn_test_support.hpp"

namespace visalign::cnn {
namespace {

using visalign::testing::read_fixture_json;

// One LibTorch thread: this tiny CNN gains nothing from two, and on a busy 2-core machine two threads ran
// the attacks about 10 times slower (threads waiting for each other).
constexpr int threads = 1;

using visalign::cnn::testing::error_message;

std::filesystem::path small_cnn_file() { return std::filesystem::path(VISALIGN_FIXTURES_DIR) / "pgd_small_cnn.pt"; }

/// The fixture CNN on [0, 1] pixels (mean 0, std 1: no normalisation). Loaded anew for every call (38 KB):
/// loading sets LibTorch's process-wide thread count, which other suites' tests set too.
Classifier small_cnn(const std::string& device = "cpu") {
  return TorchScriptModel::load(small_cnn_file(), device, threads).classifier({0.0f}, {1.0f}, "pgd_small_cnn.pt on " + device);
}

const LabelledImages& test_images() {
  static const LabelledImages images = read_fashion_mnist(default_fashion_mnist_folder(), "test", 1000);
  return images;
}

LabelledImages first_test_images(std::int64_t count) {
  std::vector<std::int64_t> indices(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) indices[static_cast<std::size_t>(i)] = i;
  return select_images(test_images(), indices);
}

double max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(static_cast<double>(a[i]) - b[i]));
  return worst;
}

double fraction_identical(const std::vector<float>& a, const std::vector<float>& b, double within = 1e-6) {
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += std::abs(static_cast<double>(a[i]) - b[i]) <= within ? 1 : 0;
  return a.empty() ? 1.0 : static_cast<double>(same) / static_cast<double>(a.size());
}

/// Every adversarial image is in [0, 1] and inside the epsilon ball of its norm.
void expect_inside_ball(const AttackResult& result, PerturbationNorm norm, double epsilon) {
  for (float v : result.adversarial.values) {
    ASSERT_GE(v, 0.0f);
    ASSERT_LE(v, 1.0f);
  }
  const std::vector<double>& norms = norm == PerturbationNorm::linf ? result.linf : norm == PerturbationNorm::l2 ? result.l2 : result.l1;
  for (double value : norms) EXPECT_LE(value, epsilon * (1 + 1e-5) + 1e-6) << perturbation_norm_name(norm);
}

// ---------------------------------------------------------------------------------------------------
// The L1-ball projection.

/// The projection by an independent route: bisection (double) on theta in sum(max(|v| - theta, 0)) = r.
Eigen::VectorXd projection_by_bisection(const Eigen::VectorXd& v, double radius) {
  if (v.lpNorm<1>() <= radius) return v;
  double low = 0, high = v.cwiseAbs().maxCoeff();
  for (int i = 0; i < 200; ++i) {
    const double middle = 0.5 * (low + high);
    ((v.cwiseAbs().array() - middle).max(0.0).sum() > radius ? low : high) = middle;
  }
  const double theta = 0.5 * (low + high);
  return v.array().sign() * (v.cwiseAbs().array() - theta).max(0.0);
}

TEST(CnnPgdL1Projection, RandomVectorsLandOnTheBallAndMatchAnIndependentSolution) {
  std::mt19937_64 random(20240601);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  double worst_norm = 0, worst_reference = 0, worst_optimality = -std::numeric_limits<double>::infinity();
  int outside = 0, inside = 0;
  for (int dimension : {1, 2, 3, 10, 100, 784, 5000}) {
    for (int trial = 0; trial < 6; ++trial) {
      Eigen::MatrixXf rows(4, dimension);
      for (Eigen::Index i = 0; i < rows.size(); ++i) rows.data()[i] = static_cast<float>(normal(random) * (1 + 3 * uniform(random)));
      const double radius = 0.05 + uniform(random) * 2 * rows.row(0).cwiseAbs().sum() / std::max(1.0, std::sqrt(dimension));
      const Eigen::MatrixXf projected = project_onto_l1_ball(rows, radius);
      ASSERT_EQ(projected.rows(), rows.rows());
      ASSERT_EQ(projected.cols(), rows.cols());
      for (Eigen::Index r = 0; r < rows.rows(); ++r) {
        const Eigen::VectorXd v = rows.row(r).transpose().cast<double>();
        const Eigen::VectorXd p = projected.row(r).transpose().cast<double>();
        // Signs kept, magnitudes never grow.
        for (Eigen::Index i = 0; i < v.size(); ++i) {
          EXPECT_GE(v[i] * p[i], 0.0);
          EXPECT_LE(std::abs(p[i]), std::abs(v[i]) + 1e-7);
        }
        if (v.lpNorm<1>() <= radius) {
          ++inside;
          EXPECT_EQ(rows.row(r), projected.row(r)) << "a point inside the ball must stay where it is";
          continue;
        }
        ++outside;
        const double norm_error = std::abs(p.lpNorm<1>() - radius) / radius;
        worst_norm = std::max(worst_norm, norm_error);
        EXPECT_LE(norm_error, 1e-5) << "dimension " << dimension;
        const Eigen::VectorXd reference = projection_by_bisection(v, radius);
        const double reference_error = (p - reference).cwiseAbs().maxCoeff() / std::max(1.0, v.cwiseAbs().maxCoeff());
        worst_reference = std::max(worst_reference, reference_error);
        EXPECT_LE(reference_error, 2e-6) << "dimension " << dimension;
        // Optimality (variational inequality of the projection onto a convex set): <v - p, q - p> <= 0 for
        // every q of the ball; q: random points of the ball (random vectors rescaled into it, vertices).
        for (int k = 0; k < 20; ++k) {
          Eigen::VectorXd q(v.size());
          for (Eigen::Index i = 0; i < q.size(); ++i) q[i] = normal(random);
          if (k % 4 == 3) {
            q.setZero();
            q[static_cast<Eigen::Index>(uniform(random) * static_cast<double>(q.size())) % q.size()] = uniform(random) < 0.5 ? radius : -radius;
          } else {
            q *= radius * (k % 2 == 0 ? 1.0 : uniform(random)) / q.lpNorm<1>();
          }
          const double inner = (v - p).dot(q - p) / (v.norm() * std::max(radius, 1.0));
          worst_optimality = std::max(worst_optimality, inner);
          EXPECT_LE(inner, 1e-6);
        }
      }
    }
  }
  std::cout << "L1 projection: " << outside << " rows outside the ball, " << inside << " inside; worst | ||p||_1 - r | / r "
            << worst_norm << ", worst difference from the bisection solution " << worst_reference
            << ", worst <v - p, q - p> / (||v|| max(r, 1)) " << worst_optimality << "\n";
  EXPECT_GT(outside, 50);
  EXPECT_GT(inside, 5);
}

TEST(CnnPgdL1Projection, TiesZeroVectorsAndRadiusZero) {
  Eigen::MatrixXf rows(5, 4);
  rows << 1, 1, 1, 1,      // ties: (0.5, 0.5, 0.5, 0.5) for radius 2
      3, -3, 1, 0,         // ties of opposite sign: (1, -1, 0, 0)
      0, 0, 0, 0,          // zero vector: inside
      -1, 0.5, 0.5, 0,     // on the sphere exactly: unchanged
      0.25, -0.25, 0.5, 1;  // inside (L1 norm 2)
  const Eigen::MatrixXf projected = project_onto_l1_ball(rows, 2.0);
  Eigen::MatrixXf expected(5, 4);
  expected << 0.5, 0.5, 0.5, 0.5, 1, -1, 0, 0, 0, 0, 0, 0, -1, 0.5, 0.5, 0, 0.25, -0.25, 0.5, 1;
  EXPECT_LE((projected - expected).cwiseAbs().maxCoeff(), 1e-6) << projected;
  EXPECT_EQ(project_onto_l1_ball(rows, 0.0), Eigen::MatrixXf::Zero(5, 4));
  EXPECT_EQ(project_onto_l1_ball(Eigen::MatrixXf::Zero(2, 3), 0.0), Eigen::MatrixXf::Zero(2, 3));
  EXPECT_EQ(project_onto_l1_ball(Eigen::MatrixXf(0, 3), 1.0).rows(), 0);
  const std::string message = error_message([&] { project_onto_l1_ball(rows, -1.0); });
  EXPECT_NE(message.find("radius"), std::string::npos) << message;
}

TEST(CnnPgdL1Projection, RescalingIsNotTheProjection) {
  // v = (3, 1), radius 2: the projection is (2, 0) (soft threshold 1); rescaling gives (1.5, 0.5), a point
  // of the same sphere but farther from v.
  Eigen::MatrixXf v(1, 2);
  v << 3, 1;
  const Eigen::MatrixXf projected = project_onto_l1_ball(v, 2.0);
  const Eigen::MatrixXf rescaled = v * (2.0f / v.lpNorm<1>());
  const double projected_distance = (v - projected).norm(), rescaled_distance = (v - rescaled).norm();
  std::cout << "v = (3, 1), radius 2: projection (" << projected(0, 0) << ", " << projected(0, 1) << ") at distance "
            << projected_distance << "; rescaling (" << rescaled(0, 0) << ", " << rescaled(0, 1) << ") at distance "
            << rescaled_distance << "\n";
  EXPECT_NEAR(projected(0, 0), 2.0f, 1e-6f);
  EXPECT_NEAR(projected(0, 1), 0.0f, 1e-6f);
  EXPECT_NEAR(rescaled.lpNorm<1>(), 2.0f, 1e-6f);
  EXPECT_LT(projected_distance, rescaled_distance - 0.1);
}

// ---------------------------------------------------------------------------------------------------
// PGD on the fixture CNN.

TEST(CnnPgdAttack, NormNamesRoundTrip) {
  for (PerturbationNorm norm : {PerturbationNorm::linf, PerturbationNorm::l2, PerturbationNorm::l1}) {
    EXPECT_EQ(parse_perturbation_norm(perturbation_norm_name(norm)), norm);
  }
  const std::string message = error_message([] { parse_perturbation_norm("l3"); });
  EXPECT_NE(message.find("\"l3\""), std::string::npos) << message;
}

TEST(CnnPgdAttack, MatchesAnIndependentPythonImplementation) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  const nlohmann::json model_fixture = read_fixture_json("pgd_model.json");
  const std::vector<std::int64_t> indices = model_fixture.at("test_indices").get<std::vector<std::int64_t>>();
  const LabelledImages images = select_images(test_images(), indices);
  ASSERT_EQ(images.labels, model_fixture.at("labels").get<std::vector<std::int64_t>>());
  const Classifier classifier = small_cnn();
  // The same model: clean probabilities against the softmax of python's logits.
  const Eigen::MatrixXf probabilities = classifier.probabilities(images.images);
  const Eigen::MatrixXd logits = visalign::testing::fixture_matrix(model_fixture.at("clean_logits"));
  double worst_probability = 0;
  for (Eigen::Index i = 0; i < logits.rows(); ++i) {
    const Eigen::ArrayXd e = (logits.row(i).array() - logits.row(i).maxCoeff()).exp();
    worst_probability = std::max(worst_probability, (probabilities.row(i).cast<double>().array() - e.transpose() / e.sum()).abs().maxCoeff());
  }
  EXPECT_LE(worst_probability, 1e-5);
  EXPECT_EQ(predicted_classes(probabilities), model_fixture.at("clean_predicted").get<std::vector<std::int64_t>>());

  for (const std::string name : {"linf", "l2", "l1", "l2_targeted"}) {
    const nlohmann::json fixture = read_fixture_json("pgd_" + name + ".json");
    PgdOptions options;
    options.norm = parse_perturbation_norm(fixture.at("norm").get<std::string>());
    options.epsilon = fixture.at("epsilon").get<double>();
    options.steps = fixture.at("steps").get<int>();
    options.targeted = fixture.at("targeted").get<bool>();
    options.l1_top_fraction = fixture.at("l1_top_fraction").get<double>();
    options.batch_size = 8;
    const std::vector<std::int64_t> classes = fixture.at("classes").get<std::vector<std::int64_t>>();
    const AttackResult result = pgd_attack(classifier, images.images, classes, options);
    std::vector<float> expected;
    for (const nlohmann::json& row : fixture.at("adversarial")) {
      for (const nlohmann::json& value : row) expected.push_back(value.get<float>());
    }
    ASSERT_EQ(expected.size(), result.adversarial.values.size());
    const double worst = max_abs_difference(result.adversarial.values, expected);
    const double same = fraction_identical(result.adversarial.values, expected, 1e-6);
    const std::vector<std::int64_t> python_predicted = fixture.at("predicted").get<std::vector<std::int64_t>>();
    const auto successes = std::count(result.success.begin(), result.success.end(), true);
    double worst_norm = 0;
    const std::vector<double> python_norm = fixture.at(name == "l2_targeted" ? "l2" : name).get<std::vector<double>>();
    const std::vector<double>& our_norm = options.norm == PerturbationNorm::linf ? result.linf : options.norm == PerturbationNorm::l2 ? result.l2 : result.l1;
    for (std::size_t i = 0; i < python_norm.size(); ++i) worst_norm = std::max(worst_norm, std::abs(python_norm[i] - our_norm[i]));
    std::cout << "PGD " << name << " (eps " << options.epsilon << ", " << options.steps << " steps) versus python: max abs pixel difference "
              << worst << ", identical pixels (within 1e-6) " << 100 * same << " %, max norm difference " << worst_norm
              << ", successes " << successes << "/" << classes.size() << ", same predicted classes "
              << (result.predicted == python_predicted ? "yes" : "NO") << "\n";
    EXPECT_EQ(result.predicted, python_predicted) << name;
    if (options.norm == PerturbationNorm::linf) {
      EXPECT_GE(same, 0.999) << name;
    } else {
      EXPECT_LE(worst, 1e-4) << name;
      EXPECT_LE(worst_norm, 1e-4) << name;
    }
    expect_inside_ball(result, options.norm, options.epsilon);
  }
}

TEST(CnnPgdAttack, ResultsDoNotDependOnTheBatchSize) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  const LabelledImages images = first_test_images(12);
  const Classifier classifier = small_cnn();
  for (PerturbationNorm norm : {PerturbationNorm::linf, PerturbationNorm::l2, PerturbationNorm::l1}) {
    for (bool random_start : {false, true}) {
      PgdOptions options;
      options.norm = norm;
      options.epsilon = norm == PerturbationNorm::linf ? 0.05 : norm == PerturbationNorm::l2 ? 1.0 : 8.0;
      options.steps = 3;
      options.random_start = random_start;
      options.seed = 7;
      options.batch_size = 100;
      const AttackResult whole = pgd_attack(classifier, images.images, images.labels, options);
      for (int batch_size : {1, 5}) {
        options.batch_size = batch_size;
        const AttackResult batched = pgd_attack(classifier, images.images, images.labels, options);
        const double worst = max_abs_difference(whole.adversarial.values, batched.adversarial.values);
        const double same = fraction_identical(whole.adversarial.values, batched.adversarial.values, 1e-6);
        std::cout << perturbation_norm_name(norm) << (random_start ? " random start" : "") << ", batches of " << batch_size
                  << " versus 100: max abs difference " << worst << ", identical pixels " << 100 * same << " %\n";
        EXPECT_EQ(whole.predicted, batched.predicted);
        if (norm == PerturbationNorm::linf) {
          EXPECT_GE(same, 0.999);
        } else {
          EXPECT_LE(worst, 1e-4);
        }
      }
      expect_inside_ball(whole, norm, options.epsilon);
      if (random_start) {
        // Another seed starts elsewhere; the same seed reproduces.
        options.batch_size = 100;
        const AttackResult again = pgd_attack(classifier, images.images, images.labels, options);
        EXPECT_EQ(again.adversarial.values, whole.adversarial.values);
        options.seed = 8;
        const AttackResult other = pgd_attack(classifier, images.images, images.labels, options);
        EXPECT_GT(max_abs_difference(other.adversarial.values, whole.adversarial.values), 1e-3);
      }
    }
  }
}

TEST(CnnPgdAttack, AdversarialAccuracyFallsWithEpsilon) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  const LabelledImages images = first_test_images(200);
  const Classifier classifier = small_cnn();
  const double clean = classification_accuracy(classifier, images.images, images.labels);
  struct Case {
    PerturbationNorm norm;
    std::vector<double> epsilons;
  };
  for (const Case& c : {Case{PerturbationNorm::linf, {0, 0.02, 0.05, 0.1, 0.2}}, Case{PerturbationNorm::l2, {0, 0.25, 0.5, 1, 2}},
                        Case{PerturbationNorm::l1, {0, 2, 5, 10, 20}}}) {
    PgdOptions options;
    options.norm = c.norm;
    options.steps = 10;
    std::vector<std::pair<std::size_t, std::size_t>> calls;
    const std::vector<RobustnessPoint> points =
        adversarial_accuracy(classifier, images.images, images.labels, options, c.epsilons,
                             [&](std::size_t done, std::size_t total) { calls.emplace_back(done, total); });
    ASSERT_EQ(points.size(), c.epsilons.size());
    std::cout << "adversarial accuracy, " << perturbation_norm_name(c.norm) << ", 200 test images, 10 steps:";
    for (const RobustnessPoint& point : points) std::cout << "  eps " << point.epsilon << ": " << point.accuracy;
    std::cout << "\n";
    EXPECT_DOUBLE_EQ(points[0].accuracy, clean);
    for (std::size_t i = 0; i < points.size(); ++i) {
      EXPECT_EQ(points[i].epsilon, c.epsilons[i]);
      EXPECT_DOUBLE_EQ(points[i].accuracy, static_cast<double>(points[i].correct) / 200.0);
      if (i > 0) EXPECT_LE(points[i].accuracy, points[i - 1].accuracy) << "eps " << points[i].epsilon;
    }
    EXPECT_LT(points.back().accuracy, 0.25 * clean);
    ASSERT_FALSE(calls.empty());
    EXPECT_EQ(calls.back().first, calls.back().second);
    EXPECT_EQ(calls.back().second, 200 * c.epsilons.size());
    for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_GT(calls[i].first, calls[i - 1].first);
  }
}

TEST(CnnPgdAttack, TargetedAttacksReachTheTarget) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  const LabelledImages images = first_test_images(60);
  const Classifier classifier = small_cnn();
  std::vector<std::int64_t> targets(images.labels.size());
  for (std::size_t i = 0; i < targets.size(); ++i) targets[i] = (images.labels[i] + 3) % 10;
  for (PerturbationNorm norm : {PerturbationNorm::linf, PerturbationNorm::l2, PerturbationNorm::l1}) {
    PgdOptions options;
    options.norm = norm;
    options.epsilon = norm == PerturbationNorm::linf ? 0.3 : norm == PerturbationNorm::l2 ? 5.0 : 60.0;
    options.steps = 20;
    options.targeted = true;
    std::vector<std::pair<std::size_t, std::size_t>> calls;
    options.batch_size = 25;
    const AttackResult result = pgd_attack(classifier, images.images, targets, options,
                                           [&](std::size_t done, std::size_t total) { calls.emplace_back(done, total); });
    std::size_t reached = 0;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      EXPECT_EQ(result.success[i], result.predicted[i] == targets[i]);
      reached += result.success[i] ? 1 : 0;
      Eigen::Index best = 0;
      result.probabilities.row(static_cast<Eigen::Index>(i)).maxCoeff(&best);
      EXPECT_EQ(best, result.predicted[i]);
    }
    std::cout << "targeted " << perturbation_norm_name(norm) << " PGD (eps " << options.epsilon << ", 20 steps), target label + 3: "
              << reached << "/60 images reach the target\n";
    EXPECT_GE(reached, 48u);
    expect_inside_ball(result, norm, options.epsilon);
    EXPECT_EQ(calls, (std::vector<std::pair<std::size_t, std::size_t>>{{25, 60}, {50, 60}, {60, 60}}));
  }
}

TEST(CnnPgdAttack, MinimalEpsilonsAreWherePgdStartsToSucceed) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  const LabelledImages images = first_test_images(30);
  const Classifier classifier = small_cnn();
  const std::vector<std::int64_t> clean_predicted = predicted_classes(classifier.probabilities(images.images));
  PgdOptions options;
  options.norm = PerturbationNorm::linf;
  options.steps = 10;
  options.batch_size = 16;
  const double max_epsilon = 0.3, tolerance = 0.01;
  std::vector<std::pair<std::size_t, std::size_t>> calls;
  const std::vector<double> minimal = minimal_epsilons(classifier, images.images, images.labels, options, max_epsilon, tolerance,
                                                       [&](std::size_t done, std::size_t total) { calls.emplace_back(done, total); });
  ASSERT_EQ(minimal.size(), 30u);
  EXPECT_EQ(calls, (std::vector<std::pair<std::size_t, std::size_t>>{{16, 30}, {30, 30}}));
  int searched = 0, succeed_at = 0, fail_below = 0, misclassified = 0, never = 0;
  std::vector<double> found;
  for (std::size_t i = 0; i < minimal.size(); ++i) {
    if (clean_predicted[i] != images.labels[i]) {
      ++misclassified;
      EXPECT_EQ(minimal[i], 0.0) << "image " << i << " is misclassified already";
      continue;
    }
    if (std::isinf(minimal[i])) {
      ++never;
      continue;
    }
    ASSERT_GT(minimal[i], 0.0);
    ASSERT_LE(minimal[i], max_epsilon);
    ++searched;
    found.push_back(minimal[i]);
    const LabelledImages one = select_images(images, {static_cast<std::int64_t>(i)});
    options.epsilon = minimal[i];
    succeed_at += pgd_attack(classifier, one.images, one.labels, options).success[0] ? 1 : 0;
    options.epsilon = std::max(0.0, minimal[i] - tolerance);
    fail_below += pgd_attack(classifier, one.images, one.labels, options).success[0] ? 0 : 1;
  }
  std::sort(found.begin(), found.end());
  std::cout << "minimal L-inf epsilons (30 images, tolerance " << tolerance << "): " << misclassified << " misclassified (0), "
            << never << " not broken at " << max_epsilon << ", " << searched << " found, median "
            << (found.empty() ? 0.0 : found[found.size() / 2]) << "; PGD succeeds at the found eps for " << succeed_at << "/"
            << searched << ", fails at eps - tolerance for " << fail_below << "/" << searched << "\n";
  EXPECT_GT(searched, 15);
  EXPECT_GT(misclassified, 0);
  EXPECT_GE(succeed_at, searched - 1);
  EXPECT_GE(fail_below, static_cast<int>(0.8 * searched));
}

TEST(CnnPgdAttack, ErrorsNameTheProblem) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  const LabelledImages images = first_test_images(4);
  const Classifier classifier = small_cnn();
  PgdOptions options;
  ImageBatch three_channels = images.images;
  three_channels.channels = 3;
  three_channels.values.resize(three_channels.values.size() * 3, 0.5f);
  auto expect_message = [](const std::string& message, const std::string& expected) {
    std::cout << message << "\n";
    EXPECT_NE(message.find(expected), std::string::npos) << message;
  };
  expect_message(error_message([&] { pgd_attack(classifier, three_channels, images.labels, options); }),
                 "the images have 3 channels, the classifier expects 1");
  expect_message(error_message([&] { pgd_attack(classifier, images.images, {1, 2, 3}, options); }), "3 labels for 4 images");
  PgdOptions negative = options;
  negative.epsilon = -0.1;
  expect_message(error_message([&] { pgd_attack(classifier, images.images, images.labels, negative); }), "epsilon must be >= 0");
  expect_message(error_message([&] { adversarial_accuracy(classifier, images.images, images.labels, options, {0.1, -0.2}); }),
                 "epsilons must be >= 0");
  PgdOptions no_steps = options;
  no_steps.steps = 0;
  expect_message(error_message([&] { pgd_attack(classifier, images.images, images.labels, no_steps); }), "steps must be >= 1");
  PgdOptions negative_step = options;
  negative_step.step_size = -1;
  expect_message(error_message([&] { pgd_attack(classifier, images.images, images.labels, negative_step); }), "step_size must be >= 0");
  PgdOptions no_fraction = options;
  no_fraction.norm = PerturbationNorm::l1;
  no_fraction.l1_top_fraction = 0;
  expect_message(error_message([&] { pgd_attack(classifier, images.images, images.labels, no_fraction); }), "l1_top_fraction");
  expect_message(error_message([&] { pgd_attack(classifier, images.images, {0, 1, 2, 10}, options); }), "classes (labels or targets) must be in 0..9 (the model's classes), found 10");
  options.targeted = true;
  expect_message(error_message([&] { pgd_attack(classifier, images.images, {1}, options); }), "1 target classes for 4 images");
  expect_message(error_message([&] { minimal_epsilons(classifier, images.images, images.labels, options, 0.0, 0.01); }),
                 "max_epsilon must be positive");
  expect_message(error_message([&] { minimal_epsilons(classifier, images.images, images.labels, options, 0.1, 0.0); }),
                 "tolerance must be positive");
}

TEST(CnnPgdAttack, EpsilonZeroLeavesTheImagesAlone) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  const LabelledImages images = first_test_images(10);
  PgdOptions options;
  options.epsilon = 0;
  options.random_start = true;
  for (PerturbationNorm norm : {PerturbationNorm::linf, PerturbationNorm::l2, PerturbationNorm::l1}) {
    options.norm = norm;
    const AttackResult result = pgd_attack(small_cnn(), images.images, images.labels, options);
    EXPECT_EQ(result.adversarial.values, images.images.values);
    for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(result.l1[i], 0.0);
  }
}

TEST(CnnPgdAttack, CudaAgreesWithTheCpu) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  const TorchScriptModel probe = TorchScriptModel::load(small_cnn_file(), "auto", threads);
  if (probe.device() != "cuda") GTEST_SKIP() << "no GPU: the CPU/CUDA comparison needs one";
  const LabelledImages images = first_test_images(50);
  for (PerturbationNorm norm : {PerturbationNorm::linf, PerturbationNorm::l2, PerturbationNorm::l1}) {
    PgdOptions options;
    options.norm = norm;
    options.epsilon = norm == PerturbationNorm::linf ? 0.05 : norm == PerturbationNorm::l2 ? 1.0 : 8.0;
    options.random_start = true;
    const AttackResult cpu = pgd_attack(small_cnn("cpu"), images.images, images.labels, options);
    const AttackResult cuda = pgd_attack(small_cnn("cuda"), images.images, images.labels, options);
    const double same = fraction_identical(cpu.adversarial.values, cuda.adversarial.values, 1e-4);
    std::size_t same_class = 0;
    for (std::size_t i = 0; i < cpu.predicted.size(); ++i) same_class += cpu.predicted[i] == cuda.predicted[i] ? 1 : 0;
    std::cout << perturbation_norm_name(norm) << " CUDA versus CPU: pixels within 1e-4 " << 100 * same << " %, same predicted class "
              << same_class << "/50, max abs difference " << max_abs_difference(cpu.adversarial.values, cuda.adversarial.values) << "\n";
    EXPECT_GE(same, 0.99);
    EXPECT_GE(same_class, 48u);
    expect_inside_ball(cuda, norm, options.epsilon);
  }
}

}  // namespace
}  // namespace visalign::cnn
