#include "apps/option_lists.hpp"

#include <sstream>
#include <stdexcept>

namespace visalign::apps {

std::vector<std::string> split_option_list(const std::string& text, const std::string& option) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) items.push_back(item);
  }
  if (items.empty()) throw std::invalid_argument("--" + option + ": expected a comma-separated list, found '" + text + "'");
  return items;
}

std::vector<double> parse_number_list(const std::string& text, const std::string& option) {
  std::vector<double> numbers;
  for (const std::string& item : split_option_list(text, option)) {
    std::size_t used = 0;
    double value = 0;
    try {
      value = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size()) {
      throw std::invalid_argument("--" + option + ": expected comma-separated numbers, found '" + item + "' in '" + text + "'");
    }
    numbers.push_back(value);
  }
  return numbers;
}

std::vector<std::int64_t> parse_integer_list(const std::string& text, const std::string& option) {
  std::vector<std::int64_t> numbers;
  for (const std::string& item : split_option_list(text, option)) {
    std::size_t used = 0;
    long long value = 0;
    try {
      value = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size()) {
      throw std::invalid_argument("--" + option + ": expected comma-separated integers, found '" + item + "' in '" + text + "'");
    }
    numbers.push_back(value);
  }
  return numbers;
}

}  // namespace visalign::apps
