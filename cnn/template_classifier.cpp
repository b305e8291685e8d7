#include "cnn/template_classifier.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace visalign::cnn {

TemplateClassification classify_by_templates(const Eigen::Ref<const Eigen::MatrixXd>& templates,
                                             const Eigen::Ref<const Eigen::MatrixXf>& images,
                                             const std::vector<std::int64_t>& labels) {
  const Eigen::Index classes = templates.rows();
  if (templates.cols() != images.cols()) {
    throw std::invalid_argument("template classifier: the templates have " + std::to_string(templates.cols()) +
                                " pixels, the images " + std::to_string(images.cols()));
  }
  if (static_cast<Eigen::Index>(labels.size()) != images.rows()) {
    throw std::invalid_argument("template classifier: " + std::to_string(labels.size()) + " labels for " +
                                std::to_string(images.rows()) + " images");
  }
  for (const std::int64_t label : labels) {
    if (label < 0 || label >= classes) {
      throw std::invalid_argument("template classifier: labels must be in 0.." + std::to_string(classes - 1) +
                                  " (one per template), found " + std::to_string(label));
    }
  }
  TemplateClassification result;
  std::vector<Eigen::Index> usable;
  for (Eigen::Index c = 0; c < classes; ++c) {
    if (templates.row(c).array().isNaN().any()) {
      result.unusable_classes.push_back(c);
    } else {
      usable.push_back(c);
    }
  }
  if (usable.empty()) throw std::invalid_argument("template classifier: no usable template (all " + std::to_string(classes) + " hold NaN)");

  // N x classes scores; the NaN templates are skipped below rather than scored.
  const Eigen::MatrixXd scores = images.cast<double>() * templates.transpose();
  result.confusion = CountMatrix::Zero(classes, classes);
  result.predicted.resize(labels.size());
  for (Eigen::Index i = 0; i < images.rows(); ++i) {
    Eigen::Index best = usable.front();
    for (const Eigen::Index c : usable) {
      if (scores(i, c) > scores(i, best)) best = c;
    }
    result.predicted[static_cast<std::size_t>(i)] = best;
    result.confusion(labels[static_cast<std::size_t>(i)], best) += 1;
    if (best == labels[static_cast<std::size_t>(i)]) ++result.correct;
  }
  result.accuracy = labels.empty() ? 0.0 : static_cast<double>(result.correct) / static_cast<double>(labels.size());
  return result;
}

}  // namespace visalign::cnn
