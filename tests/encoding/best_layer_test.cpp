// Best layer per vertex (supplementary figure S1): argmax over layers with NaN never winning and
// ties to the earlier layer; proportions over the assigned vertices; the study's layer groups.

#include <gtest/gtest.h>

#include <cmath>

#include "encoding/best_layer.hpp"

namespace visalign::encoding {
namespace {

TEST(BestLayer, ArgmaxProportionsAndNaN) {
  Eigen::MatrixXd accuracy(3, 5);
  accuracy << 0.1, 0.5, NAN, 0.2, NAN,  //
      0.3, 0.5, 0.1, 0.1, NAN,          //
      0.2, 0.4, NAN, 0.3, NAN;
  const BestLayerAssignment assignment = assign_best_layers(accuracy);
  EXPECT_EQ(assignment.best_layer, (std::vector<std::int32_t>{1, 0, 1, 2, -1}));
  EXPECT_EQ(assignment.assigned, 4);
  EXPECT_DOUBLE_EQ(assignment.proportion(0), 0.25);
  EXPECT_DOUBLE_EQ(assignment.proportion(1), 0.5);
  EXPECT_DOUBLE_EQ(assignment.proportion(2), 0.25);
  EXPECT_DOUBLE_EQ(mean_proportion(assignment, {0, 1}), 0.375);
  EXPECT_THROW(mean_proportion(assignment, {3}), std::invalid_argument);
  EXPECT_THROW(mean_proportion(assignment, {}), std::invalid_argument);
  EXPECT_THROW(assign_best_layers(Eigen::MatrixXd(0, 3)), std::invalid_argument);
}

TEST(BestLayer, LayerGroupsOfTheStudy) {
  EXPECT_EQ(low_level_layers(8), (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(high_level_layers(8), (std::vector<std::int32_t>{6, 7}));
  EXPECT_EQ(low_level_layers(2), (std::vector<std::int32_t>{0}));
  EXPECT_EQ(high_level_layers(2), (std::vector<std::int32_t>{1}));
  EXPECT_EQ(high_level_layers(5), (std::vector<std::int32_t>{4}));
  EXPECT_THROW(low_level_layers(1), std::invalid_argument);
}

}  // namespace
}  // namespace visalign::encoding
