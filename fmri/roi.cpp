#include "fmri/roi.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <stdexcept>

namespace visalign::fmri {

Roi make_roi(std::string name, std::vector<std::int32_t> vertices) {
  std::sort(vertices.begin(), vertices.end());
  vertices.erase(std::unique(vertices.begin(), vertices.end()), vertices.end());
  return {std::move(name), std::move(vertices)};
}

Roi roi_union(const Roi& a, const Roi& b) {
  Roi result{"(" + a.name + " | " + b.name + ")", {}};
  std::set_union(a.vertices.begin(), a.vertices.end(), b.vertices.begin(), b.vertices.end(), std::back_inserter(result.vertices));
  return result;
}

Roi roi_intersection(const Roi& a, const Roi& b) {
  Roi result{"(" + a.name + " & " + b.name + ")", {}};
  std::set_intersection(a.vertices.begin(), a.vertices.end(), b.vertices.begin(), b.vertices.end(),
                        std::back_inserter(result.vertices));
  return result;
}

Roi roi_difference(const Roi& a, const Roi& b) {
  Roi result{"(" + a.name + " - " + b.name + ")", {}};
  std::set_difference(a.vertices.begin(), a.vertices.end(), b.vertices.begin(), b.vertices.end(),
                      std::back_inserter(result.vertices));
  return result;
}

namespace {

class RoiExpressionParser {
 public:
  RoiExpressionParser(const std::string& text, const std::map<std::string, Roi>& rois) : text_(text), rois_(rois) {}

  Roi parse() {
    Roi result = expression();
    skip_spaces();
    if (position_ != text_.size()) fail("unexpected '" + text_.substr(position_, 1) + "'");
    return result;
  }

 private:
  // expression := term (op term)*, op one of | + & -, evaluated left to right
  Roi expression() {
    Roi result = term();
    while (true) {
      skip_spaces();
      if (position_ >= text_.size()) return result;
      const char op = text_[position_];
      if (op != '|' && op != '+' && op != '&' && op != '-') return result;
      ++position_;
      const Roi right = term();
      result = op == '&' ? roi_intersection(result, right) : op == '-' ? roi_difference(result, right) : roi_union(result, right);
    }
  }

  Roi term() {
    skip_spaces();
    if (position_ >= text_.size()) fail("expected a ROI name or '(' at the end");
    if (text_[position_] == '(') {
      ++position_;
      Roi inner = expression();
      skip_spaces();
      if (position_ >= text_.size() || text_[position_] != ')') fail("expected ')'");
      ++position_;
      return inner;
    }
    const std::size_t start = position_;
    while (position_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[position_])) || text_[position_] == '_' || text_[position_] == '.')) {
      ++position_;
    }
    if (start == position_) fail("expected a ROI name, found '" + text_.substr(position_, 1) + "'");
    const std::string name = text_.substr(start, position_ - start);
    const auto found = rois_.find(name);
    if (found == rois_.end()) {
      std::string known;
      for (const auto& [key, roi] : rois_) known += (known.empty() ? "" : ", ") + key;
      fail("unknown ROI '" + name + "' (known: " + (known.empty() ? "none" : known) + ")");
    }
    return found->second;
  }

  void skip_spaces() {
    while (position_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[position_]))) ++position_;
  }

  [[noreturn]] void fail(const std::string& problem) const {
    throw std::invalid_argument("ROI expression '" + text_ + "': " + problem + " at character " +
                                std::to_string(position_ + 1));
  }

  const std::string& text_;
  const std::map<std::string, Roi>& rois_;
  std::size_t position_ = 0;
};

}  // namespace

Roi evaluate_roi_expression(const std::string& expression, const std::map<std::string, Roi>& rois) {
  Roi result = RoiExpressionParser(expression, rois).parse();
  result.name = expression;
  return result;
}

void require_nonempty(const Roi& roi, const std::string& context) {
  if (roi.vertices.empty()) throw std::runtime_error(context + ": ROI '" + roi.name + "' is empty");
}

}  // namespace visalign::fmri
