#include "apps/error_report.hpp"

namespace visalign::apps {

std::string describe_exception_chain(const std::exception& error) {
  std::string text = error.what();
  try {
    std::rethrow_if_nested(error);
  } catch (const std::exception& nested) {
    text += ": " + describe_exception_chain(nested);
  } catch (...) {
    text += ": unknown error";
  }
  return text;
}

}  // namespace visalign::apps
