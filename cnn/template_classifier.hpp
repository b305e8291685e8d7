#pragma once
// Template matching (seed 002, section 3.1): each image goes to the class whose template (e.g. a
// classification image, or a class's mean image) has the largest dot product with it. Neither templates
// nor images are centred or normalised, as the seed describes ("the bias map with the maximum dot product
// to the test digit determines the output class"); subtracting one image from every template (e.g. the
// mean noise image) changes no decision, since it shifts all the scores of an image equally. No LibTorch.

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace visalign::cnn {

using CountMatrix = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>;

struct TemplateClassification {
  std::vector<std::int64_t> predicted;          // per image: argmax over the usable templates (the first on ties)
  CountMatrix confusion;                        // classes x classes: rows the true label, columns the predicted class
  std::int64_t correct = 0;
  double accuracy = 0;                          // correct / images (0 for no images)
  std::vector<std::int64_t> unusable_classes;   // templates holding a NaN (a class never predicted): never chosen
};

/// templates: classes x pixels; images: N x pixels (one image per row); labels: N classes in
/// 0..classes-1. Scores are computed in double. std::invalid_argument for pixel counts that differ, a
/// label count other than N, a label outside 0..classes-1, or no usable template.
TemplateClassification classify_by_templates(const Eigen::Ref<const Eigen::MatrixXd>& templates,
                                             const Eigen::Ref<const Eigen::MatrixXf>& images,
                                             const std::vector<std::int64_t>& labels);

}  // namespace visalign::cnn
