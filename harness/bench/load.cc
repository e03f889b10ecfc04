// `course bench` (load.h): the data the run needs, the run with its progress
// line, and the report. The workers that make the calls are in load_worker.cc.
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
#include "bench/load_report.h"
#include "bench/load_worker.h"
#include "core/report.h"
#include "course/v1/course.grpc.pb.h"

namespace course::bench {
namespace {

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

// The RPC of --rpc.
Rpc RpcOf(const std::string& name) {
  return name == "ListUsers"     ? Rpc::kListUsers
         : name == "CreateUsers" ? Rpc::kCreateUsers
         : name == "Chat"        ? Rpc::kChat
                                 : Rpc::kGetUser;
}

// The options with the thread count settled: one per CPU unless given, and
// never more threads than calls.
LoadOptions WithThreads(const LoadOptions& given) {
  LoadOptions options = given;
  if (options.threads == 0) options.threads = CpusAvailable();
  options.threads = std::min(options.threads, options.concurrency);
  if (options.requests > 0) {
    options.threads = static_cast<int>(std::min<std::int64_t>(options.threads, options.requests));
  }
  return options;
}

// One stub per connection, each connected before the run; false (said on
// `err`) when a connection cannot be made.
bool Connect(harness::Target& target, const LoadOptions& options, std::ostream& err,
             std::vector<std::unique_ptr<UserService::Stub>>* stubs) {
  // Separate connections: channels with distinct arguments and a subchannel
  // pool of their own never share a connection.
  for (int i = 0; i < options.connections; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("course.bench.connection", i);
    // A load generator must not retry behind the caller's back (and the
    // retry filter costs time on every call).
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
    std::shared_ptr<grpc::Channel> channel = target.NewChannel(args);
    if (!channel->WaitForConnected(Deadline(options))) {
      err << "course: could not connect to " << target.Describe() << "\n";
      return false;
    }
    stubs->push_back(UserService::NewStub(channel));
  }
  return true;
}

// The workers, each with its share of the requests and of the calls in
// flight; the calls are spread over the connections in turn.
std::vector<std::unique_ptr<Worker>> MakeWorkers(
    const Schedule& schedule, const LoadOptions& options, const std::string& token,
    const std::string& nonce, const std::vector<std::unique_ptr<UserService::Stub>>& stubs,
    int id) {
  const std::int64_t per_thread = options.requests / options.threads;
  const std::int64_t extra = options.requests % options.threads;
  const auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(options.rate > 0 ? options.threads / options.rate : 0));
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < options.threads; ++t) {
    const std::int64_t quota = options.requests > 0 ? per_thread + (t < extra ? 1 : 0) : 0;
    workers.push_back(
        std::make_unique<Worker>(t, schedule, options, token, nonce, quota, interval));
  }
  for (int s = 0; s < options.concurrency; ++s) {
    workers[s % options.threads]->AddSlot(stubs[s % options.connections].get(), id, s);
  }
  return workers;
}

void PrintPlan(std::ostream& out, const LoadOptions& options, const harness::Target& target,
               bool open_loop) {
  out << options.rpc << " against " << target.Describe() << ": " << options.connections
      << (options.connections == 1 ? " connection, " : " connections, ")
      << (open_loop ? absl::StrCat("open loop at ", options.rate, " calls/s (at most ",
                                   options.concurrency, " in flight)")
                    : absl::StrCat("closed loop, ", options.concurrency, " in flight"))
      << ", " << options.threads << (options.threads == 1 ? " thread, " : " threads, ")
      << (options.requests > 0 ? absl::StrCat(options.requests, " calls")
                               : absl::StrCat(options.duration_s, " s"))
      << (options.warmup_s > 0 ? absl::StrCat(" after ", options.warmup_s, " s of warm-up") : "")
      << std::endl;
}

// The progress line until every worker has finished: updated in place on a
// terminal, plain every 5 s otherwise.
void ShowProgress(std::ostream& out, const std::vector<std::unique_ptr<Worker>>& workers,
                  const Schedule& schedule, bool tty) {
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
}

// The workers' statistics as one, with at most five error samples.
Stats Merged(const std::vector<std::unique_ptr<Worker>>& workers) {
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
  return total;
}

// Runs the workers from now on, with the progress line; returns their
// statistics merged.
Stats RunWorkers(std::ostream& out, const std::vector<std::unique_ptr<Worker>>& workers,
                 Schedule& schedule, const LoadOptions& options) {
  const auto seconds = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  schedule.start = Clock::now();
  schedule.measure_from = schedule.start + seconds(options.warmup_s);
  schedule.hard_stop = schedule.start + std::chrono::seconds(options.timeout_s);
  schedule.stop_starting = options.requests > 0
                               ? schedule.hard_stop
                               : schedule.measure_from + seconds(options.duration_s);
  std::vector<std::thread> threads;
  for (auto& worker : workers) threads.emplace_back([&worker] { worker->Run(); });
  const bool tty = isatty(STDOUT_FILENO) != 0;
  ShowProgress(out, workers, schedule, tty);
  for (auto& thread : threads) thread.join();
  if (tty) out << "\r\033[K";
  return Merged(workers);
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
  if (given.concurrency < given.connections) {
    err << "course: --concurrency (" << given.concurrency << ") must be at least --connections ("
        << given.connections << ")\n";
    return 2;
  }
  const LoadOptions options = WithThreads(given);
  const Rpc rpc = RpcOf(options.rpc);
  const std::string nonce = absl::StrFormat("%08x", std::random_device()());
  // gRPC takes absl::Mutex locks on every call; Debian's absl checks each
  // lock order for deadlocks, which a load generator need not pay for.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  std::vector<std::unique_ptr<UserService::Stub>> stubs;
  if (!Connect(target, options, err, &stubs)) return 2;
  absl::StatusOr<int> id = Prepare(rpc, *stubs[0], options, target.Token(), nonce);
  if (!id.ok()) {
    err << "course: " << id.status().message() << "\n";
    return 2;
  }

  Schedule schedule;
  schedule.rpc = rpc;
  schedule.open_loop = options.rate > 0;
  const std::vector<std::unique_ptr<Worker>> workers =
      MakeWorkers(schedule, options, target.Token(), nonce, stubs, *id);
  PrintPlan(out, options, target, schedule.open_loop);
  const Stats total = RunWorkers(out, workers, schedule, options);
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
