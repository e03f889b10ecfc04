// The measuring parts of the gRPC-against-REST benchmarks (stack_bench.cc):
// what the threads of one run share (CPU marks on both sides, merged
// latencies, the counters) and the asynchronous gRPC client that keeps N
// unary calls in flight from one completion queue.
#ifndef COURSE_HARNESS_BENCH_STACK_DRIVER_H_
#define COURSE_HARNESS_BENCH_STACK_DRIVER_H_

#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>
#include <time.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench/histogram.h"
#include "bench/stack_server.h"

namespace course::bench {

using Clock = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(10);

inline double ProcessCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

inline std::int64_t Nanos(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

// One thread's work in one run of a benchmark.
struct Tally {
  Histogram latencies;  // nanoseconds per call
  std::int64_t calls = 0;
  std::int64_t bytes = 0;        // response payload bytes
  std::int64_t round_trips = 0;  // requests sent (pages count one each)
};

// What the threads of one run share. Every thread calls Arrive just before
// its timed loop: the last to arrive reads both CPU clocks, while the others
// wait at Google Benchmark's start barrier having made no timed call. Every
// thread calls Leave after its loop (all loops have ended by then: Google
// Benchmark holds threads at a barrier there too): the last to leave sets the
// run's counters, on its own state only, since counters add up over threads.
class RunShare {
 public:
  void Arrive(const benchmark::State& state, const StackServer& server) {
    std::lock_guard lock(mu_);
    if (++arrived_ < state.threads()) return;
    client_cpu_ = ProcessCpuSeconds();
    server_cpu_ = server.CpuSeconds();
  }

  void Leave(benchmark::State& state, const StackServer& server, const Tally& mine) {
    state.counters["calls_per_second"] =
        benchmark::Counter(static_cast<double>(mine.calls), benchmark::Counter::kIsRate);
    std::lock_guard lock(mu_);
    total_.latencies.Merge(mine.latencies);
    total_.calls += mine.calls;
    total_.bytes += mine.bytes;
    total_.round_trips += mine.round_trips;
    if (++left_ < state.threads()) return;
    const double client = ProcessCpuSeconds() - client_cpu_;
    const double server_cpu = server.CpuSeconds() - server_cpu_;
    if (total_.calls > 0) {
      const auto calls = static_cast<double>(total_.calls);
      state.counters["client_cpu_us_per_call"] = client * 1e6 / calls;
      state.counters["server_cpu_us_per_call"] = server_cpu * 1e6 / calls;
      state.counters["p50_us"] = total_.latencies.Quantile(0.50) / 1e3;
      state.counters["p99_us"] = total_.latencies.Quantile(0.99) / 1e3;
      state.counters["response_bytes"] = static_cast<double>(total_.bytes) / calls;
      state.counters["round_trips"] = static_cast<double>(total_.round_trips) / calls;
    }
    arrived_ = left_ = 0;  // ready for the next run
    total_ = Tally();
  }

 private:
  std::mutex mu_;
  int arrived_ = 0;
  int left_ = 0;
  double client_cpu_ = 0;
  double server_cpu_ = 0;
  Tally total_;
};

inline std::shared_ptr<StackServer> ServerOrSkip(benchmark::State& state,
                                                 const StackConfig& config) {
  auto server = StackServer::ForConfig(config);
  if (!server.ok()) {
    state.SkipWithError(std::string(server.status().message()).c_str());
    return nullptr;
  }
  return *server;
}

// `count` channels to `address`, each on its own HTTP/2 connection: gRPC
// shares a subchannel (and so a connection) between channels whose
// arguments are equal, so each gets a local subchannel pool and an argument
// of its own. Empty (and the state skipped) when one cannot connect.
template <typename Service>
std::vector<std::unique_ptr<typename Service::Stub>> Connect(benchmark::State& state,
                                                             const std::string& address,
                                                             int count) {
  std::vector<std::unique_ptr<typename Service::Stub>> stubs;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("course.bench.connection", i);
    auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + kDeadline)) {
      state.SkipWithError(("could not connect to " + address).c_str());
      return {};
    }
    stubs.push_back(Service::NewStub(channel));
  }
  return stubs;
}

template <typename Request, typename Response>
struct PendingCall {
  grpc::ClientContext context;
  Request request;
  Response response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader;
  Clock::time_point start;
};

// One unary RPC for the asynchronous driver: how to start it and how to
// check its answer (the payload bytes, or -1 when the answer is wrong).
template <typename Service, typename Request, typename Response>
struct UnaryRpc {
  using Stub = typename Service::Stub;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> (Stub::*prepare)(
      grpc::ClientContext*, const Request&, grpc::CompletionQueue*);
  std::function<Request(std::int64_t n)> make;
  std::function<std::int64_t(const Request&, const Response&)> check;
};

// Keeps `in_flight` calls outstanding on `stubs` (round robin) from one
// thread and one completion queue; an iteration is one completed call,
// after which the next is started at once.
template <typename Service, typename Request, typename Response>
void RunAsync(benchmark::State& state, const StackServer& server, RunShare& share,
              const std::vector<std::unique_ptr<typename Service::Stub>>& stubs, int in_flight,
              const UnaryRpc<Service, Request, Response>& rpc) {
  using Call = PendingCall<Request, Response>;
  grpc::CompletionQueue queue;
  Tally tally;
  int outstanding = 0;
  std::int64_t n = 0;
  auto start_one = [&] {
    auto call = std::make_unique<Call>();
    call->context.set_deadline(std::chrono::system_clock::now() + kDeadline);
    call->request = rpc.make(n);
    auto& stub = *stubs[static_cast<std::size_t>(n) % stubs.size()];
    call->start = Clock::now();
    call->reader = (stub.*rpc.prepare)(&call->context, call->request, &queue);
    call->reader->StartCall();
    Call* tag = call.release();
    tag->reader->Finish(&tag->response, &tag->status, tag);
    ++outstanding;
    ++n;
  };
  share.Arrive(state, server);
  for (int i = 0; i < in_flight; ++i) start_one();
  for (auto _ : state) {
    void* tag = nullptr;
    bool ok = false;
    if (!queue.Next(&tag, &ok)) break;
    --outstanding;
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    tally.latencies.Record(Nanos(Clock::now() - call->start));
    const std::int64_t bytes =
        call->status.ok() ? rpc.check(call->request, call->response) : std::int64_t{-1};
    if (bytes < 0) {
      state.SkipWithError(("call failed: " + call->status.error_message()).c_str());
      break;
    }
    ++tally.calls;
    ++tally.round_trips;
    tally.bytes += bytes;
    start_one();
  }
  share.Leave(state, server, tally);
  // Calls still in flight end within their deadline; none outlives the run.
  void* tag = nullptr;
  bool ok = false;
  while (outstanding > 0 && queue.Next(&tag, &ok)) {
    delete static_cast<Call*>(tag);
    --outstanding;
  }
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) delete static_cast<Call*>(tag);
}

}  // namespace course::bench

#endif  // COURSE_HARNESS_BENCH_STACK_DRIVER_H_
