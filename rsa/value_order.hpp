#pragma once
// Ordering values for ranks: a linear-time bucket sort of finite doubles (ties keep index order),
// shared by average_ranks and the searchlight, which rank hundreds of thousands of RDMs.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace visalign::rsa {

/// Reusable scratch and result of order_by_value.
struct ValueOrder {
  std::vector<std::int32_t> order;  // indices sorted by value, ties by index
  std::vector<double> sorted;       // the values in that order
  std::vector<std::size_t> bucket_start, bucket_fill;
  std::vector<std::uint32_t> bucket;
};

/// Sorts `count` finite values (no NaN or infinity) ascending, ties in index order: values are
/// mapped monotonically onto about one bucket each, scattered in index order, and put in order by
/// one insertion-sort pass (values are out of order only inside a bucket).
void order_by_value(const double* values, std::size_t count, ValueOrder& result);

}  // namespace visalign::rsa
