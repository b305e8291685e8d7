#include "apps/process_group.hpp"

#include <cstdlib>

#ifdef VISALIGN_HAVE_MPI
#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <boost/serialization/vector.hpp>
#endif

namespace visalign::apps {

#ifdef VISALIGN_HAVE_MPI
struct ProcessGroup::Mpi {
  boost::mpi::environment environment{boost::mpi::threading::funneled};
  boost::mpi::communicator world;
};
#else
struct ProcessGroup::Mpi {};
#endif

ProcessGroup::ProcessGroup(ProcessGroup&&) noexcept = default;
ProcessGroup& ProcessGroup::operator=(ProcessGroup&&) noexcept = default;
ProcessGroup::~ProcessGroup() = default;

ProcessGroup ProcessGroup::join() {
  ProcessGroup group;
#ifdef VISALIGN_HAVE_MPI
  // Only under a launcher: a plain run never starts MPI (which can be slow or absent).
  const bool launched = std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMI_SIZE") != nullptr ||
                        std::getenv("PMIX_RANK") != nullptr;
  if (launched) {
    group.mpi_ = std::make_unique<Mpi>();
    group.rank_ = group.mpi_->world.rank();
    group.size_ = group.mpi_->world.size();
  }
#endif
  return group;
}

std::pair<std::int64_t, std::int64_t> ProcessGroup::share(std::int64_t count) const {
  return {count * rank_ / size_, count * (rank_ + 1) / size_};
}

namespace {
template <typename T, typename Mpi>
std::vector<T> gather_values(const Mpi* mpi, const std::vector<T>& local, int rank) {
#ifdef VISALIGN_HAVE_MPI
  if (mpi != nullptr) {
    std::vector<std::vector<T>> parts;
    boost::mpi::gather(mpi->world, local, parts, 0);
    std::vector<T> all;
    if (rank == 0) {
      for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  }
#endif
  (void)mpi;
  (void)rank;
  return local;
}
}  // namespace

std::vector<double> ProcessGroup::gather(const std::vector<double>& local) const { return gather_values(mpi_.get(), local, rank_); }

std::vector<std::int32_t> ProcessGroup::gather(const std::vector<std::int32_t>& local) const {
  return gather_values(mpi_.get(), local, rank_);
}

bool ProcessGroup::any(bool local) const {
#ifdef VISALIGN_HAVE_MPI
  if (mpi_ != nullptr) {
    bool result = false;
    boost::mpi::all_reduce(mpi_->world, local, result, std::logical_or<bool>());
    return result;
  }
#endif
  return local;
}

}  // namespace visalign::apps
