// The RSA engine on simulated subjects: calibration at SNR 0 (p-values uniform: ~5% below 0.05)
// and the planted answer at SNR 1 (R(RE-AI) > R(RE-AN) in every ROI, RE-AI significant).

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "fmri/searchlight_plan.hpp"
#include "fmri/simulated_subject.hpp"
#include "fmri/vertex_selection.hpp"
#include "rsa/searchlight.hpp"
#include "rsa/similarity_analysis.hpp"
#include "surface/geodesic_disks.hpp"

namespace visalign::fmri {
namespace {

TEST(RsaOnSimulatedSubject, PermutationPValuesAreCalibratedAtSnrZero) {
  SimulationOptions options;
  options.sphere_order = 5;
  options.snr = 0;
  const SimulatedSubject subject = simulate_subject(options);
  const SearchlightPlan setup = type_similarity_plan(subject.design, "RE", {"AN", "AI"});
  rsa::SearchlightOptions engine;
  engine.permutations = 1000;
  engine.seed = 17;
  engine.threads = 2;
  std::int64_t tested = 0, below = 0;
  for (const auto& hemisphere : subject.hemispheres) {
    const surface::NeighborhoodTable disks = surface::geodesic_disks(hemisphere.white, {3.0, surface::GeodesicMethod::fast_marching, 2});
    const VertexMajorBetas betas = hemisphere.betas;
    const rsa::SearchlightResult result = rsa::searchlight_rsa(betas, {disks.offsets, disks.vertices}, setup.sets, setup.measures, engine);
    for (Eigen::Index v = 0; v < result.p_value.rows(); ++v) {
      for (Eigen::Index m = 0; m < 2; ++m) {
        if (std::isnan(result.p_value(v, m))) continue;
        ++tested;
        below += result.p_value(v, m) < 0.05 ? 1 : 0;
      }
    }
  }
  const double fraction = static_cast<double>(below) / static_cast<double>(tested);
  std::cout << "SNR 0: " << tested << " vertex tests (2 measures x 2 hemispheres), fraction with p < 0.05: " << fraction << '\n';
  ::testing::Test::RecordProperty("fraction_p_below_0_05", std::to_string(fraction));
  EXPECT_GE(tested, 10000);
  EXPECT_GE(fraction, 0.04);
  EXPECT_LE(fraction, 0.06);
}

TEST(RsaOnSimulatedSubject, PlantedAnswerIsRecoveredInEveryRoi) {
  SimulationOptions options;
  options.sphere_order = 5;
  options.snr = 1;
  const SimulatedSubject subject = simulate_subject(options);
  const SearchlightPlan setup = type_similarity_plan(subject.design, "RE", {"AN", "AI"});
  for (const auto& hemisphere : subject.hemispheres) {
    const surface::NeighborhoodTable disks = surface::geodesic_disks(hemisphere.white, {3.0, surface::GeodesicMethod::fast_marching, 2});
    const VertexMajorBetas betas = hemisphere.betas;
    const Eigen::VectorXd reliability = disk_reliability(betas, {disks.offsets, disks.vertices}, subject.design, "RE",
                                                         rsa::RdmDistance::correlation, 2);
    rsa::SearchlightOptions engine;
    engine.threads = 2;
    const rsa::SearchlightResult map = rsa::searchlight_rsa(betas, {disks.offsets, disks.vertices}, setup.sets, setup.measures, engine);
    for (const auto& [name, roi] : hemisphere.rois) {
      // ROI RSA on the 100 most reliable vertices.
      const SelectedVertices selected = select_reliable_vertices(roi, reliability, 100);
      ASSERT_GE(selected.vertices.size(), 50u) << name;
      std::vector<rsa::TypePatterns> presentations;
      for (const int presentation : subject.design.presentations()) {
        rsa::TypePatterns patterns;
        for (const std::string type : {"RE", "AN", "AI"}) {
          const auto columns = subject.design.columns_of(type, presentation);
          Eigen::MatrixXd matrix(static_cast<Eigen::Index>(columns.size()), static_cast<Eigen::Index>(selected.vertices.size()));
          for (std::size_t i = 0; i < columns.size(); ++i) {
            for (std::size_t j = 0; j < selected.vertices.size(); ++j) {
              matrix(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = hemisphere.betas(selected.vertices[j], columns[i]);
            }
          }
          patterns[type] = matrix;
        }
        presentations.push_back(patterns);
      }
      rsa::SimilarityAnalysisOptions analysis_options;
      analysis_options.permutations = 200;
      analysis_options.image_bootstraps = 200;
      analysis_options.feature_bootstraps = 50;
      analysis_options.seed = 5;
      const rsa::SimilarityAnalysis analysis = rsa::analyze_similarity(presentations, analysis_options);
      const auto& an = analysis.similarities[0];
      const auto& ai = analysis.similarities[1];
      EXPECT_GT(ai.mean, an.mean) << hemisphere.name << " " << name;
      EXPECT_LT(ai.p_mean, 0.05) << hemisphere.name << " " << name;
      EXPECT_LT(analysis.difference.p_one_sided, 0.05) << hemisphere.name << " " << name;
      // Resampling vertices with replacement repeats some and so lowers R (fewer distinct vertices,
      // noisier RDMs): the interval sits a little below the estimate, as in the study's error bars.
      EXPECT_LT(ai.feature_ci95.lower, ai.feature_ci95.upper);
      EXPECT_LE(ai.feature_ci68.upper, ai.feature_ci95.upper);
      EXPECT_GT(ai.feature_ci95.lower, an.feature_ci95.upper);
      // The searchlight map says the same inside the ROI.
      double an_sum = 0, ai_sum = 0;
      int count = 0;
      for (const std::int32_t v : roi.vertices) {
        if (std::isnan(map.similarity(v, 0))) continue;
        an_sum += map.similarity(v, 0);
        ai_sum += map.similarity(v, 1);
        ++count;
      }
      EXPECT_GT(ai_sum / count, an_sum / count + 0.05) << hemisphere.name << " " << name;
    }
  }
}

}  // namespace
}  // namespace visalign::fmri
