#include "bench/load.h"

#include <grpcpp/grpcpp.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "bench/histogram.h"
#include "core/report.h"
#include "course/v1/course.grpc.pb.h"

namespace course::bench {
namespace {

using Clock = std::chrono::steady_clock;
using v1::UserService;

enum class Rpc { kGetUser, kListUsers, kCreateUsers, kChat };

constexpr const char* kCodeNames[] = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};
constexpr int kCodes = 17;

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

  void AddSlot(UserService::Stub* stub, int id, int slot_number) {
    auto slot = std::make_unique<Slot>();
    slot->stub = stub;
    slot->get_request.set_id(id);
    slot->list_request.set_page_size(options_.page_size);
    slot->create_request.set_name("Bench User");
    slot->chat_out.set_room(absl::StrCat("bench-", nonce_, "-", slot_number));
    slot->chat_out.set_sender("course bench");
    slot->chat_out.set_text("load");
    slots_.push_back(std::move(slot));
  }

  void Run() {
    const auto offset = interval_ * index_ / std::max(1, options_.threads);
    next_due_ = schedule_.start + offset;
    for (auto& slot : slots_) {
      const Clock::time_point now = Clock::now();
      if (!schedule_.open_loop && MoreToStart(now)) {
        Start(*slot, now);
      } else {
        idle_.push_back(slot.get());
      }
    }
    if (!schedule_.open_loop) {
      // Closed loop: every completion starts the next call itself, and
      // every call has a deadline, so a plain blocking Next is enough (and
      // costs no clock reads).
      void* tag = nullptr;
      bool ok = false;
      while (in_flight_ > 0 && cq_.Next(&tag, &ok)) {
        Tag* t = static_cast<Tag*>(tag);
        Handle(*t->slot, t->op, ok);
      }
    }
    while (schedule_.open_loop) {
      const Clock::time_point now = Clock::now();
      StartDue(now);
      const bool more = MoreToStart(now);
      if (in_flight_ == 0 && !more) break;
      Clock::time_point wake = now + std::chrono::milliseconds(100);
      if (more && !idle_.empty()) wake = std::min(wake, next_due_);
      const gpr_timespec until =
          gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                       gpr_time_from_nanos(
                           std::max<std::int64_t>(0, std::chrono::nanoseconds(wake - now).count()),
                           GPR_TIMESPAN));
      void* tag = nullptr;
      bool ok = false;
      const auto got = cq_.AsyncNext(&tag, &ok, until);
      if (got == grpc::CompletionQueue::SHUTDOWN) break;
      if (got == grpc::CompletionQueue::GOT_EVENT) {
        Tag* t = static_cast<Tag*>(tag);
        Handle(*t->slot, t->op, ok);
      }
    }
    cq_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) {
    }
    finished.store(true, std::memory_order_release);
  }

  const Stats& stats() const { return stats_; }
  // Read by the progress line while the run goes on.
  std::atomic<std::int64_t> done{0};
  std::atomic<std::int64_t> failed{0};
  std::atomic<bool> finished{false};

 private:
  bool MoreToStart(Clock::time_point now) const {
    if (now >= schedule_.hard_stop) return false;
    if (quota_ > 0) return started_ < quota_;
    if (schedule_.open_loop) return next_due_ < schedule_.stop_starting;
    return now < schedule_.stop_starting;
  }

  // Open loop: every call that is due starts now, with the time it was due.
  void StartDue(Clock::time_point now) {
    while (!idle_.empty() && next_due_ <= now && MoreToStart(now)) {
      Slot* slot = idle_.back();
      idle_.pop_back();
      Start(*slot, next_due_);
      next_due_ += interval_;
    }
  }

  void Start(Slot& slot, Clock::time_point intended) {
    ++started_;
    ++in_flight_;
    slot.intended = intended;
    slot.messages = 0;
    slot.sent = 0;
    slot.reads_closed = slot.writes_closed = false;
    grpc::ClientContext& context = slot.context.emplace();
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(options_.deadline_ms));
    switch (schedule_.rpc) {
      case Rpc::kGetUser:
        slot.get = slot.stub->PrepareAsyncGetUser(&context, slot.get_request, &cq_);
        slot.get->StartCall();
        slot.get->Finish(&slot.user, &slot.status, &slot.finish);
        break;
      case Rpc::kListUsers:
        slot.list = slot.stub->PrepareAsyncListUsers(&context, slot.list_request, &cq_);
        slot.list->StartCall(&slot.start);
        break;
      case Rpc::kCreateUsers:
        if (!bearer_.empty()) context.AddMetadata("authorization", bearer_);
        slot.create = slot.stub->PrepareAsyncCreateUsers(&context, &slot.create_response, &cq_);
        slot.create->StartCall(&slot.start);
        break;
      case Rpc::kChat:
        slot.chat = slot.stub->PrepareAsyncChat(&context, &cq_);
        slot.chat->StartCall(&slot.start);
        break;
    }
  }

  void Handle(Slot& slot, Op op, bool ok) {
    if (op == Op::kFinish) {
      Complete(slot);
      return;
    }
    switch (schedule_.rpc) {
      case Rpc::kGetUser:
        break;  // only Finish
      case Rpc::kListUsers:
        if (op == Op::kRead && ok) ++slot.messages;
        if (ok) {
          slot.list->Read(&slot.user, &slot.read);
        } else {
          slot.list->Finish(&slot.status, &slot.finish);
        }
        break;
      case Rpc::kCreateUsers:
        if (!ok || op == Op::kWritesDone) {
          slot.create->Finish(&slot.status, &slot.finish);
        } else if (slot.sent < options_.messages) {
          if (op == Op::kWrite) ++slot.messages;
          ++slot.sent;
          slot.create_request.set_email(
              absl::StrCat("b", nonce_, "-", index_, "-", ++serial_, "@bench.example"));
          slot.create->Write(slot.create_request, &slot.write);
        } else {
          if (op == Op::kWrite) ++slot.messages;
          slot.create->WritesDone(&slot.writes_done);
        }
        break;
      case Rpc::kChat:
        HandleChat(slot, op, ok);
        break;
    }
  }

  // Chat reads and writes at once: echoes are read while messages go out;
  // Finish once both directions are closed.
  void HandleChat(Slot& slot, Op op, bool ok) {
    if (op == Op::kStart) {
      if (!ok) {
        slot.chat->Finish(&slot.status, &slot.finish);
        return;
      }
      slot.chat->Read(&slot.chat_in, &slot.read);
      NextChatWrite(slot);
      return;
    }
    if (op == Op::kRead) {
      if (ok) {
        ++slot.messages;
        slot.chat->Read(&slot.chat_in, &slot.read);
        return;
      }
      slot.reads_closed = true;
    } else if (op == Op::kWrite && ok) {
      NextChatWrite(slot);
      return;
    } else {
      slot.writes_closed = true;  // WritesDone, or a write that failed
    }
    if (slot.reads_closed && slot.writes_closed) slot.chat->Finish(&slot.status, &slot.finish);
  }

  void NextChatWrite(Slot& slot) {
    if (slot.sent < options_.messages) {
      ++slot.sent;
      slot.chat->Write(slot.chat_out, &slot.write);
    } else {
      slot.chat->WritesDone(&slot.writes_done);
    }
  }

  void Complete(Slot& slot) {
    const Clock::time_point end = Clock::now();
    const int code = std::clamp(static_cast<int>(slot.status.error_code()), 0, kCodes - 1);
    if (code == 0 && schedule_.rpc == Rpc::kGetUser) slot.messages = 1;
    if (slot.intended >= schedule_.measure_from) {
      stats_.latency.Record(std::chrono::nanoseconds(end - slot.intended).count());
      ++stats_.calls;
      stats_.messages += slot.messages;
      ++stats_.codes[code];
      stats_.last_end = end;
      if (code != 0 && stats_.samples.size() < 5) {
        std::string sample = absl::StrCat(kCodeNames[code], ": ", slot.status.error_message());
        if (std::find(stats_.samples.begin(), stats_.samples.end(), sample) ==
            stats_.samples.end()) {
          stats_.samples.push_back(std::move(sample));
        }
      }
    }
    done.store(done.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (code != 0)
      failed.store(failed.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    slot.get.reset();
    slot.list.reset();
    slot.create.reset();
    slot.chat.reset();
    slot.context.reset();
    --in_flight_;
    if (!schedule_.open_loop && MoreToStart(end)) {
      Start(slot, end);
    } else {
      idle_.push_back(&slot);
    }
  }

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

std::string Thousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

int CpusAvailable() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

std::chrono::system_clock::time_point Deadline(const LoadOptions& options) {
  return std::chrono::system_clock::now() + std::chrono::milliseconds(options.deadline_ms);
}

// Creates `n` users in one CreateUsers call; returns their ids.
absl::StatusOr<std::vector<int>> CreateUsers(UserService::Stub& stub, const LoadOptions& options,
                                             const std::string& token, const std::string& nonce,
                                             int n) {
  grpc::ClientContext context;
  context.set_deadline(Deadline(options));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  v1::CreateUsersResponse response;
  auto writer = stub.CreateUsers(&context, &response);
  for (int i = 0; i < n; ++i) {
    v1::CreateUserRequest request;
    request.set_name(absl::StrCat("Bench User ", i + 1));
    request.set_email(absl::StrCat("seed", i + 1, "-", nonce, "@bench.example"));
    if (!writer->Write(request)) break;
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "could not create the users the run needs: CreateUsers ended ",
        kCodeNames[std::clamp(static_cast<int>(status.error_code()), 0, kCodes - 1)], ": ",
        status.error_message(), token.empty() ? " (does the server want --token?)" : ""));
  }
  return std::vector<int>(response.ids().begin(), response.ids().end());
}

// The ids of the first `n` stored users.
absl::StatusOr<std::vector<int>> ListIds(UserService::Stub& stub, const LoadOptions& options,
                                         int n) {
  grpc::ClientContext context;
  context.set_deadline(Deadline(options));
  v1::ListUsersRequest request;
  request.set_page_size(n);
  auto reader = stub.ListUsers(&context, request);
  std::vector<int> ids;
  v1::User user;
  while (reader->Read(&user)) ids.push_back(user.id());
  grpc::Status status = reader->Finish();
  if (!status.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("could not list the users the run needs: ", status.error_message()));
  }
  return ids;
}

// What the RPC needs before the run: a user to get, or a page of users to
// list. Returns the GetUser id (0 for the other RPCs).
absl::StatusOr<int> Prepare(Rpc rpc, UserService::Stub& stub, const LoadOptions& options,
                            const std::string& token, const std::string& nonce) {
  if (rpc == Rpc::kGetUser) {
    if (options.id > 0) return options.id;
    auto ids = ListIds(stub, options, 1);
    if (!ids.ok()) return ids.status();
    if (!ids->empty()) return ids->front();
    auto created = CreateUsers(stub, options, token, nonce, 1);
    if (!created.ok()) return created.status();
    return created->front();
  }
  if (rpc == Rpc::kListUsers) {
    auto ids = ListIds(stub, options, options.page_size);
    if (!ids.ok()) return ids.status();
    const int missing = options.page_size - static_cast<int>(ids->size());
    if (missing > 0) {
      auto created = CreateUsers(stub, options, token, nonce, missing);
      if (!created.ok()) return created.status();
    }
  }
  return 0;
}

nlohmann::json Report(const LoadOptions& options, const harness::Target& target, const Stats& total,
                      double seconds, int threads) {
  auto ms = [](double ns) { return std::round(ns / 1e3) / 1e3; };
  nlohmann::json status = nlohmann::json::object();
  std::int64_t errors = 0;
  for (int code = 0; code < kCodes; ++code) {
    if (total.codes[code] > 0) status[kCodeNames[code]] = total.codes[code];
    if (code != 0) errors += total.codes[code];
  }
  const double rate = seconds > 0 ? static_cast<double>(total.calls) / seconds : 0;
  return {
      {"tool", "course bench"},
      {"rpc", options.rpc},
      {"target", target.Describe()},
      {"loop", options.rate > 0 ? "open" : "closed"},
      {"rate", options.rate},
      {"connections", options.connections},
      {"concurrency", options.concurrency},
      {"threads", threads},
      {"messages_per_call", options.messages},
      {"warmup_s", options.warmup_s},
      {"seconds", seconds},
      {"calls", total.calls},
      {"calls_per_second", std::round(rate * 10) / 10},
      {"messages", total.messages},
      {"messages_per_second",
       seconds > 0 ? std::round(static_cast<double>(total.messages) / seconds * 10) / 10 : 0},
      {"latency_ms",
       {{"p50", ms(total.latency.Quantile(0.5))},
        {"p90", ms(total.latency.Quantile(0.9))},
        {"p99", ms(total.latency.Quantile(0.99))},
        {"p99.9", ms(total.latency.Quantile(0.999))},
        {"max", ms(static_cast<double>(total.latency.max()))},
        {"mean", ms(total.latency.mean())}}},
      {"status", status},
      {"errors", errors},
      {"error_samples", total.samples},
  };
}

void PrintReport(std::ostream& out, const nlohmann::json& report) {
  const auto& latency = report["latency_ms"];
  out << "  calls     " << Thousands(report["calls"].get<std::int64_t>()) << " in "
      << absl::StrFormat("%.2f", report["seconds"].get<double>())
      << " s: " << Thousands(std::llround(report["calls_per_second"].get<double>())) << " calls/s";
  if (report["rpc"] != "GetUser") {
    out << ", " << Thousands(std::llround(report["messages_per_second"].get<double>()))
        << " messages/s";
  }
  out << "\n  latency  ";
  for (const char* key : {"p50", "p90", "p99", "p99.9", "max"}) {
    out << "  " << key << " " << absl::StrFormat("%.3f", latency[key].get<double>()) << " ms";
  }
  out << "\n  status   ";
  for (const auto& [code, count] : report["status"].items()) {
    out << " " << code << " " << Thousands(count.get<std::int64_t>());
  }
  out << "\n  errors    " << Thousands(report["errors"].get<std::int64_t>()) << "\n";
  for (const auto& sample : report["error_samples"]) {
    out << "    " << sample.get<std::string>() << "\n";
  }
}

}  // namespace

void AddLoadFlags(CLI::App* app, LoadOptions* options) {
  app->add_option("--rpc", options->rpc, "the RPC to load")
      ->check(CLI::IsMember({"GetUser", "ListUsers", "CreateUsers", "Chat"}))
      ->capture_default_str();
  app->add_option("--concurrency", options->concurrency,
                  "calls in flight (with --rate: at most this many)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app->add_option("--connections", options->connections,
                  "separate HTTP/2 connections the calls are spread over")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app->add_option("--threads", options->threads,
                  "generator threads (default: one per CPU this process may use)")
      ->check(CLI::Range(0, 256));
  auto* duration =
      app->add_option("--duration", options->duration_s, "seconds to measure, after the warm-up")
          ->check(CLI::Range(0.01, 86400.0))
          ->capture_default_str();
  app->add_option("--requests", options->requests, "make this many calls instead")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40))
      ->excludes(duration);
  app->add_option("--rate", options->rate,
                  "open loop: start this many calls per second, timing each from when it "
                  "was due")
      ->check(CLI::Range(0.01, 1e7));
  app->add_option("--warmup", options->warmup_s, "seconds of calls not counted, first")
      ->check(CLI::Range(0.0, 3600.0));
  app->add_option("--deadline-ms", options->deadline_ms, "deadline of every call")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  app->add_option("--timeout", options->timeout_s, "bound on the whole run, in seconds")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app->add_option("--messages", options->messages, "per call: CreateUsers requests, Chat messages")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app->add_option("--page-size", options->page_size,
                  "ListUsers page size (the users are created first if missing)")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app->add_option("--id", options->id, "GetUser this id (default: an existing user's)")
      ->check(CLI::Range(1, 2147483647));
  app->add_option("--json", options->json_path, "write the results as JSON");
}

int RunLoad(harness::Target& target, const LoadOptions& given, std::ostream& out,
            std::ostream& err) {
  LoadOptions options = given;
  if (options.concurrency < options.connections) {
    err << "course: --concurrency (" << options.concurrency << ") must be at least --connections ("
        << options.connections << ")\n";
    return 2;
  }
  const Rpc rpc = options.rpc == "ListUsers"     ? Rpc::kListUsers
                  : options.rpc == "CreateUsers" ? Rpc::kCreateUsers
                  : options.rpc == "Chat"        ? Rpc::kChat
                                                 : Rpc::kGetUser;
  if (options.threads == 0) options.threads = CpusAvailable();
  options.threads = std::min(options.threads, options.concurrency);
  if (options.requests > 0) {
    options.threads = static_cast<int>(std::min<std::int64_t>(options.threads, options.requests));
  }
  const std::string nonce = absl::StrFormat("%08x", std::random_device()());
  // gRPC takes absl::Mutex locks on every call; Debian's absl checks each
  // lock order for deadlocks, which a load generator need not pay for.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Separate connections: channels with distinct arguments and a subchannel
  // pool of their own never share a connection.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<UserService::Stub>> stubs;
  for (int i = 0; i < options.connections; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("course.bench.connection", i);
    // A load generator must not retry behind the caller's back (and the
    // retry filter costs time on every call).
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
    channels.push_back(target.NewChannel(args));
    if (!channels.back()->WaitForConnected(Deadline(options))) {
      err << "course: could not connect to " << target.Describe() << "\n";
      return 2;
    }
    stubs.push_back(UserService::NewStub(channels.back()));
  }
  absl::StatusOr<int> id = Prepare(rpc, *stubs[0], options, target.Token(), nonce);
  if (!id.ok()) {
    err << "course: " << id.status().message() << "\n";
    return 2;
  }

  Schedule schedule;
  schedule.rpc = rpc;
  schedule.open_loop = options.rate > 0;
  const auto seconds = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  const std::int64_t per_thread = options.requests / options.threads;
  const std::int64_t extra = options.requests % options.threads;
  const auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(options.rate > 0 ? options.threads / options.rate : 0));
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < options.threads; ++t) {
    const std::int64_t quota = options.requests > 0 ? per_thread + (t < extra ? 1 : 0) : 0;
    workers.push_back(
        std::make_unique<Worker>(t, schedule, options, target.Token(), nonce, quota, interval));
  }
  for (int s = 0; s < options.concurrency; ++s) {
    workers[s % options.threads]->AddSlot(stubs[s % options.connections].get(), *id, s);
  }

  out << options.rpc << " against " << target.Describe() << ": " << options.connections
      << (options.connections == 1 ? " connection, " : " connections, ")
      << (schedule.open_loop ? absl::StrCat("open loop at ", options.rate, " calls/s (at most ",
                                            options.concurrency, " in flight)")
                             : absl::StrCat("closed loop, ", options.concurrency, " in flight"))
      << ", " << options.threads << (options.threads == 1 ? " thread, " : " threads, ")
      << (options.requests > 0 ? absl::StrCat(options.requests, " calls")
                               : absl::StrCat(options.duration_s, " s"))
      << (options.warmup_s > 0 ? absl::StrCat(" after ", options.warmup_s, " s of warm-up") : "")
      << std::endl;

  schedule.start = Clock::now();
  schedule.measure_from = schedule.start + seconds(options.warmup_s);
  schedule.hard_stop = schedule.start + std::chrono::seconds(options.timeout_s);
  schedule.stop_starting = options.requests > 0
                               ? schedule.hard_stop
                               : schedule.measure_from + seconds(options.duration_s);
  std::vector<std::thread> threads;
  for (auto& worker : workers) threads.emplace_back([&worker] { worker->Run(); });

  // The progress line: updated in place on a terminal, plain every 5 s
  // otherwise.
  const bool tty = isatty(STDOUT_FILENO) != 0;
  const auto every = std::chrono::milliseconds(tty ? 500 : 5000);
  auto next_line = schedule.start + every;
  for (;;) {
    bool all_done = true;
    for (auto& worker : workers)
      all_done = all_done && worker->finished.load(std::memory_order_acquire);
    if (all_done) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (Clock::now() < next_line) continue;
    next_line += every;
    std::int64_t done = 0, failed = 0;
    for (auto& worker : workers) {
      done += worker->done.load(std::memory_order_relaxed);
      failed += worker->failed.load(std::memory_order_relaxed);
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - schedule.start).count();
    const std::string line =
        absl::StrFormat("  %6.1f s  %s calls  %s calls/s  %s errors", elapsed, Thousands(done),
                        Thousands(std::llround(done / elapsed)), Thousands(failed));
    if (tty) {
      out << "\r" << line << "\033[K" << std::flush;
    } else {
      out << line << std::endl;
    }
  }
  for (auto& thread : threads) thread.join();
  if (tty) out << "\r\033[K";

  Stats total;
  for (auto& worker : workers) {
    const Stats& stats = worker->stats();
    total.latency.Merge(stats.latency);
    total.calls += stats.calls;
    total.messages += stats.messages;
    for (int code = 0; code < kCodes; ++code) total.codes[code] += stats.codes[code];
    for (const auto& sample : stats.samples) {
      if (total.samples.size() < 5) total.samples.push_back(sample);
    }
    total.last_end = std::max(total.last_end, stats.last_end);
  }
  const double measured =
      total.calls == 0
          ? 0
          : std::chrono::duration<double>(total.last_end - schedule.measure_from).count();
  nlohmann::json report = Report(options, target, total, measured, options.threads);
  PrintReport(out, report);
  if (!options.json_path.empty()) {
    if (absl::Status written =
            harness::WriteFileAtomically(options.json_path, report.dump(2) + "\n");
        !written.ok()) {
      err << "course: " << written.message() << "\n";
      return 2;
    }
  }
  if (total.calls == 0) {
    err << "course: no call finished in the measured time\n";
    return 2;
  }
  return report["errors"].get<std::int64_t>() > 0 ? 1 : 0;
}

}  // namespace course::bench
