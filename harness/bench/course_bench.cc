// The course's benchmarks: what gRPC's claims look like on this machine.
//
//   course_benchmarks                          everything (about a minute)
//   course_benchmarks --benchmark_filter=GetUser
//
// Protocol Buffers against JSON lives in codec_bench.cc. Here, the RPCs:
//   GetUser/gRPC vs GetUser/REST   the reference over gRPC against a REST/JSON
//                                  twin (HTTP/1.1, cpp-httplib) on the same
//                                  store, both over loopback, one connection
//                                  and one blocking client per thread
//   GetUser/gRPC/in-process        the same call without a socket
//   ListUsers/unbatched|batched    1,000 users per call, with the server's
//                                  write batching off and on
//   GetUser/echo                   a bare callback server (no store, no
//                                  interceptors): the contract's cost
//
// Every RPC benchmark runs in real time; `cpu_us_per_call` is the process's
// CPU (client and server threads together) per call, `calls_per_second` and
// `bytes_per_second` (protobuf/JSON payload) are rates.
#include <benchmark/benchmark.h>
#include <httplib.h>
#include <time.h>

#include <chrono>
#include <memory>
#include <mutex>

#include "bench/bare_server.h"
#include "bench/rest_twin.h"
#include "course/v1/course.grpc.pb.h"
#include "service/server.h"

namespace course::bench {
namespace {

constexpr int kSeedUsers = 1000;
constexpr auto kDeadline = std::chrono::seconds(5);

double ProcessCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// A fixture owns its servers. With ->Threads(n), every thread runs SetUp and
// TearDown on the one fixture: the first thread in starts the servers and
// the last one out stops them (Google Benchmark holds all threads at a
// barrier before and after the timed loop).
class ServerFixture : public benchmark::Fixture {
 public:
  enum class Kind { kReference, kReferenceBatched, kBare };
  explicit ServerFixture(Kind kind) : kind_(kind) {}

  void SetUp(benchmark::State& state) override {
    std::lock_guard lock(mu_);
    if (users_++ > 0) return;
    if (kind_ == Kind::kBare) {
      bare_ = BareServer::Start();
      if (bare_ == nullptr) state.SkipWithError("the bare server did not start");
      return;
    }
    service::ServerOptions options;
    options.seed = kSeedUsers;
    options.batch_writes = kind_ == Kind::kReferenceBatched;
    auto server = service::ReferenceServer::Start(options);
    if (!server.ok()) {
      state.SkipWithError(std::string(server.status().message()).c_str());
      return;
    }
    reference_ = std::move(*server);
    rest_ = RestTwin::Start(reference_->store());
    if (rest_ == nullptr) state.SkipWithError("the REST twin did not start");
  }

  void TearDown(benchmark::State&) override {
    std::lock_guard lock(mu_);
    if (--users_ > 0) return;
    rest_.reset();
    reference_.reset();
    bare_.reset();
  }

 protected:
  // A connection of this thread's own (no subchannel sharing), connected
  // before the timed loop.
  std::unique_ptr<v1::UserService::Stub> LoopbackStub(benchmark::State& state) {
    if (!bare_ && !reference_) return nullptr;  // SetUp failed; the loop won't run
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    const std::string& address = bare_ ? bare_->address() : reference_->address();
    auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + kDeadline)) {
      state.SkipWithError("could not connect over loopback");
    }
    return v1::UserService::NewStub(channel);
  }
  std::unique_ptr<v1::UserService::Stub> InProcessStub() {
    if (!bare_ && !reference_) return nullptr;
    return v1::UserService::NewStub(bare_ ? bare_->InProcessChannel()
                                          : reference_->InProcessChannel());
  }
  int rest_port() const { return rest_ ? rest_->port() : 0; }

 private:
  const Kind kind_;
  std::mutex mu_;
  int users_ = 0;
  std::unique_ptr<service::ReferenceServer> reference_;
  std::unique_ptr<RestTwin> rest_;
  std::unique_ptr<BareServer> bare_;
};

class Reference : public ServerFixture {
 public:
  Reference() : ServerFixture(Kind::kReference) {}
};
class ReferenceBatched : public ServerFixture {
 public:
  ReferenceBatched() : ServerFixture(Kind::kReferenceBatched) {}
};
class Bare : public ServerFixture {
 public:
  Bare() : ServerFixture(Kind::kBare) {}
};

// Runs `call` (returns payload bytes moved, or -1 on failure) once per
// iteration and sets the counters shared by every RPC benchmark.
template <typename Call>
void RunCalls(benchmark::State& state, std::int64_t items_per_call, Call call) {
  const double cpu_start = ProcessCpuSeconds();
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const std::int64_t moved = call();
    if (moved < 0) break;  // the call reported its error
    bytes += moved;
  }
  const double calls = static_cast<double>(state.iterations());
  state.counters["calls_per_second"] = benchmark::Counter(calls, benchmark::Counter::kIsRate);
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations() * items_per_call);
  if (state.thread_index() == 0 && calls > 0) {
    // Every thread's calls ran between these two points (barriers), so the
    // process CPU over them divides by the calls of all threads.
    state.counters["cpu_us_per_call"] =
        (ProcessCpuSeconds() - cpu_start) * 1e6 / (calls * state.threads());
  }
}

std::int64_t GrpcGetUser(benchmark::State& state, v1::UserService::Stub& stub, int id) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kDeadline);
  v1::GetUserRequest request;
  request.set_id(id);
  v1::User user;
  grpc::Status status = stub.GetUser(&context, request, &user);
  if (!status.ok() || user.id() != id) {
    state.SkipWithError(("GetUser failed: " + status.error_message()).c_str());
    return -1;
  }
  return static_cast<std::int64_t>(request.ByteSizeLong() + user.ByteSizeLong());
}

// Client threads spread their ids over the store.
int IdFor(const benchmark::State& state, std::int64_t n) {
  return 1 + static_cast<int>((n * 7 + state.thread_index() * 101) % kSeedUsers);
}

BENCHMARK_DEFINE_F(Reference, GrpcGetUser)(benchmark::State& state) {
  auto stub = LoopbackStub(state);
  std::int64_t n = 0;
  RunCalls(state, 1, [&] { return GrpcGetUser(state, *stub, IdFor(state, n++)); });
}

BENCHMARK_DEFINE_F(Reference, RestGetUser)(benchmark::State& state) {
  httplib::Client client("127.0.0.1", rest_port());
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  client.set_read_timeout(kDeadline);
  std::int64_t n = 0;
  RunCalls(state, 1, [&]() -> std::int64_t {
    const int id = IdFor(state, n++);
    httplib::Result result = client.Get("/v1/users/" + std::to_string(id));
    v1::User user;
    if (!result || result->status != 200 || !DecodeUserJson(result->body, &user) ||
        user.id() != id) {
      state.SkipWithError(result ? "GET /v1/users/{id} did not answer the user"
                                 : "GET /v1/users/{id} failed to connect or timed out");
      return -1;
    }
    return static_cast<std::int64_t>(result->body.size());
  });
}

BENCHMARK_DEFINE_F(Reference, GrpcGetUserInProcess)(benchmark::State& state) {
  auto stub = InProcessStub();
  std::int64_t n = 0;
  RunCalls(state, 1, [&] { return GrpcGetUser(state, *stub, IdFor(state, n++)); });
}

BENCHMARK_DEFINE_F(Bare, GrpcGetUser)(benchmark::State& state) {
  auto stub = LoopbackStub(state);
  RunCalls(state, 1, [&] { return GrpcGetUser(state, *stub, 1); });
}

void ListAll(benchmark::State& state, std::unique_ptr<v1::UserService::Stub> stub) {
  RunCalls(state, kSeedUsers, [&]() -> std::int64_t {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kDeadline);
    v1::ListUsersRequest request;
    auto reader = stub->ListUsers(&context, request);
    v1::User user;
    std::int64_t users = 0;
    std::int64_t bytes = 0;
    while (reader->Read(&user)) {
      ++users;
      bytes += static_cast<std::int64_t>(user.ByteSizeLong());
    }
    grpc::Status status = reader->Finish();
    if (!status.ok() || users != kSeedUsers) {
      state.SkipWithError(("ListUsers failed or came short: " + status.error_message()).c_str());
      return -1;
    }
    return bytes;
  });
}

BENCHMARK_DEFINE_F(Reference, ListUsers)(benchmark::State& state) {
  ListAll(state, LoopbackStub(state));
}
BENCHMARK_DEFINE_F(ReferenceBatched, ListUsers)(benchmark::State& state) {
  ListAll(state, LoopbackStub(state));
}

// The same client concurrency for gRPC and REST: 1 and 4 client threads,
// each with its own keep-alive connection and one call in flight.
BENCHMARK_REGISTER_F(Reference, GrpcGetUser)
    ->Name("GetUser/gRPC/loopback")
    ->Threads(1)
    ->Threads(4)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_REGISTER_F(Reference, RestGetUser)
    ->Name("GetUser/REST/loopback")
    ->Threads(1)
    ->Threads(4)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_REGISTER_F(Reference, GrpcGetUserInProcess)
    ->Name("GetUser/gRPC/in-process")
    ->Threads(1)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_REGISTER_F(Bare, GrpcGetUser)
    ->Name("GetUser/echo/loopback")
    ->Threads(1)
    ->Threads(4)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_REGISTER_F(Reference, ListUsers)
    ->Name("ListUsers/unbatched/loopback")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_REGISTER_F(ReferenceBatched, ListUsers)
    ->Name("ListUsers/batched/loopback")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace course::bench

BENCHMARK_MAIN();
