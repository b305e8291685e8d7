#pragma once
// The processes a command runs in: the MPI world when started by mpirun (and built with MPI),
// otherwise this process alone. Work is split by rank and gathered on rank 0, which alone writes.

#include <cstdint>
#include <memory>
#include <vector>

namespace visalign::apps {

class ProcessGroup {
 public:
  /// Joins the MPI world if this process was started by mpirun/srun; a single process otherwise.
  static ProcessGroup join();
  ProcessGroup(ProcessGroup&&) noexcept;
  ProcessGroup& operator=(ProcessGroup&&) noexcept;
  ~ProcessGroup();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }

  /// The half-open share [first, last) of `count` items for this rank (contiguous, in rank order).
  std::pair<std::int64_t, std::int64_t> share(std::int64_t count) const;

  /// Every rank's `local` values concatenated in rank order, on rank 0 (empty elsewhere).
  std::vector<double> gather(const std::vector<double>& local) const;
  /// Every rank's `local` values concatenated in rank order, on rank 0 (empty elsewhere).
  std::vector<std::int32_t> gather(const std::vector<std::int32_t>& local) const;

  /// Stops every rank when one failed: true on all ranks if any rank passes true.
  bool any(bool local) const;

 private:
  struct Mpi;
  ProcessGroup() = default;
  std::unique_ptr<Mpi> mpi_;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace visalign::apps
