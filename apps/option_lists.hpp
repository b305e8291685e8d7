#pragma once
// Comma-separated option values ("--classes 0,1,2", "--epsilons 0,0.01,0.1", "--layers a,b"), split and
// parsed in one place, with errors that name the option.

#include <cstdint>
#include <string>
#include <vector>

namespace visalign::apps {

/// The non-empty items of a comma-separated list. std::invalid_argument "--<option>: ..." when there are none.
std::vector<std::string> split_option_list(const std::string& text, const std::string& option);

/// Numbers (std::stod, the whole item). std::invalid_argument naming the option and the item otherwise.
std::vector<double> parse_number_list(const std::string& text, const std::string& option);

/// Integers (the whole item). std::invalid_argument naming the option and the item otherwise.
std::vector<std::int64_t> parse_integer_list(const std::string& text, const std::string& option);

}  // namespace visalign::apps
