// The engine of `course bench` (load.cc): per-call state reused call after
// call, and the workers that each drive one completion queue.
#ifndef COURSE_HARNESS_BENCH_LOAD_WORKER_H_
#define COURSE_HARNESS_BENCH_LOAD_WORKER_H_

#include <grpcpp/grpcpp.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/histogram.h"
#include "bench/load.h"
#include "course/v1/course.grpc.pb.h"

namespace course::bench {

using Clock = std::chrono::steady_clock;
using v1::UserService;

enum class Rpc { kGetUser, kListUsers, kCreateUsers, kChat };

inline constexpr const char* kCodeNames[] = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};
inline constexpr int kCodes = 17;

// Times shared by every worker, fixed before the run starts.
struct Schedule {
  Rpc rpc = Rpc::kGetUser;
  Clock::time_point start;
  Clock::time_point measure_from;   // after the warm-up
  Clock::time_point stop_starting;  // end of the measured time
  Clock::time_point hard_stop;      // --timeout
  bool open_loop = false;
};

struct Stats {
  Histogram latency;
  std::int64_t calls = 0;  // counted: started after the warm-up
  std::int64_t messages = 0;
  std::array<std::int64_t, kCodes> codes{};
  std::vector<std::string> samples;  // a few distinct errors
  Clock::time_point last_end{};
};

enum class Op : std::uint8_t { kStart, kRead, kWrite, kWritesDone, kFinish };

struct Slot;
struct Tag {
  Slot* slot;
  Op op;
};

// Everything one call in flight needs, made once and reused call after call.
// (ClientContext cannot be reused; it is rebuilt in place. The async reader
// and writer objects live in the call's arena.)
struct Slot {
  UserService::Stub* stub = nullptr;
  std::optional<grpc::ClientContext> context;
  grpc::Status status;
  Clock::time_point intended;
  std::int64_t messages = 0;
  int sent = 0;
  bool reads_closed = false;
  bool writes_closed = false;
  v1::GetUserRequest get_request;
  v1::ListUsersRequest list_request;
  v1::User user;
  v1::CreateUserRequest create_request;
  v1::CreateUsersResponse create_response;
  v1::Message chat_out;
  v1::Message chat_in;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::User>> get;
  std::unique_ptr<grpc::ClientAsyncReader<v1::User>> list;
  std::unique_ptr<grpc::ClientAsyncWriter<v1::CreateUserRequest>> create;
  std::unique_ptr<grpc::ClientAsyncReaderWriter<v1::Message, v1::Message>> chat;
  Tag start{this, Op::kStart};
  Tag read{this, Op::kRead};
  Tag write{this, Op::kWrite};
  Tag writes_done{this, Op::kWritesDone};
  Tag finish{this, Op::kFinish};
};

// One thread and one completion queue, with its share of the calls in
// flight. Only this thread touches its slots and stats.
class Worker {
 public:
  Worker(int index, const Schedule& schedule, const LoadOptions& options, const std::string& token,
         const std::string& nonce, std::int64_t quota, std::chrono::nanoseconds interval)
      : index_(index),
        schedule_(schedule),
        options_(options),
        bearer_(token.empty() ? "" : "Bearer " + token),
        nonce_(nonce),
        quota_(quota),
        interval_(interval) {}

  void AddSlot(UserService::Stub* stub, int id, int slot_number);

  void Run();

  const Stats& stats() const { return stats_; }
  // Read by the progress line while the run goes on.
  std::atomic<std::int64_t> done{0};
  std::atomic<std::int64_t> failed{0};
  std::atomic<bool> finished{false};

 private:
  bool MoreToStart(Clock::time_point now) const;

  // Open loop: every call that is due starts now, with the time it was due.
  void StartDue(Clock::time_point now);

  void Start(Slot& slot, Clock::time_point intended);

  void Handle(Slot& slot, Op op, bool ok);

  // Chat reads and writes at once: echoes are read while messages go out;
  // Finish once both directions are closed.
  void HandleChat(Slot& slot, Op op, bool ok);

  void NextChatWrite(Slot& slot);

  void Complete(Slot& slot);

  const int index_;
  const Schedule& schedule_;
  const LoadOptions& options_;
  const std::string bearer_;
  const std::string nonce_;
  const std::int64_t quota_;
  const std::chrono::nanoseconds interval_;
  grpc::CompletionQueue cq_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> idle_;
  int in_flight_ = 0;
  std::int64_t started_ = 0;
  std::int64_t serial_ = 0;
  Clock::time_point next_due_;
  Stats stats_;
};

}  // namespace course::bench

#endif  // COURSE_HARNESS_BENCH_LOAD_WORKER_H_
