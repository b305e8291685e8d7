#include "rsa/value_order.hpp"

#include <algorithm>

namespace visalign::rsa {

void order_by_value(const double* values, std::size_t count, ValueOrder& result) {
  result.order.resize(count);
  result.sorted.resize(count);
  if (count == 0) return;
  const auto [low_it, high_it] = std::minmax_element(values, values + count);
  const double low = *low_it, high = *high_it;
  const std::size_t buckets = count;
  // Monotone: v1 <= v2 gives bucket(v1) <= bucket(v2) (IEEE subtraction, multiplication and the
  // conversion all round monotonically).
  const double scale = high > low ? static_cast<double>(buckets) / (high - low) : 0.0;
  result.bucket.resize(count);
  result.bucket_start.assign(buckets + 1, 0);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t bucket = std::min(buckets - 1, static_cast<std::size_t>((values[i] - low) * scale));
    result.bucket[i] = static_cast<std::uint32_t>(bucket);
    ++result.bucket_start[bucket + 1];
  }
  for (std::size_t b = 0; b < buckets; ++b) result.bucket_start[b + 1] += result.bucket_start[b];
  result.bucket_fill.assign(result.bucket_start.begin(), result.bucket_start.end() - 1);
  for (std::size_t i = 0; i < count; ++i) {  // ascending i: each bucket starts in index order
    const std::size_t target = result.bucket_fill[result.bucket[i]]++;
    result.order[target] = static_cast<std::int32_t>(i);
    result.sorted[target] = values[i];
  }
  for (std::size_t i = 1; i < count; ++i) {  // stable: only strictly greater values move past
    const double value = result.sorted[i];
    if (!(result.sorted[i - 1] > value)) continue;
    const std::int32_t index = result.order[i];
    std::size_t j = i;
    while (j > 0 && result.sorted[j - 1] > value) {
      result.sorted[j] = result.sorted[j - 1];
      result.order[j] = result.order[j - 1];
      --j;
    }
    result.sorted[j] = value;
    result.order[j] = index;
  }
}

}  // namespace visalign::rsa
