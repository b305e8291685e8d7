#pragma once
// Errors are exceptions with context (std::throw_with_nested); the command line prints the
// whole chain on one line, outermost first.

#include <exception>
#include <string>

namespace visalign::apps {

/// "outer context: inner context: root cause".
std::string describe_exception_chain(const std::exception& error);

}  // namespace visalign::apps
