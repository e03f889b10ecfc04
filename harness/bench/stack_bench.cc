// gRPC against REST/JSON, each in the shape it is built for (issue 16):
//
//   Stacks/GetUser/gRPC_1conn/in_flight:N    an asynchronous gRPC client
//   Stacks/GetUser/gRPC_4conns/in_flight:N   (one completion queue, one
//                                            thread) keeping N calls in
//                                            flight on 1 or 4 HTTP/2
//                                            connections
//   Stacks/GetUser/REST/.../threads:N        N client threads, each with a
//                                            keep-alive HTTP/1.1 connection
//                                            (one call in flight each), to a
//                                            server with N worker threads
//   Stacks/List1000/gRPC_stream[_batched]    1,000 users as one ListUsers
//   Stacks/List1000/REST_pages/page_size:P   ... as GET pages of P users
//   Stacks/Rows/gRPC|REST/bytes:B            one call of a B-byte table
//                                            (rows.proto), 100 B to 1 MiB
//
// The servers run in a child process (course-bench-stack-server), so each
// side's CPU is its own: counters client_cpu_us_per_call (this process) and
// server_cpu_us_per_call (the child, from /proc), with p50_us and p99_us
// latencies and calls_per_second. Every call has a deadline and is checked;
// a failed one stops the benchmark with SkipWithError.
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <mutex>
#include <string>

#include "bench/rest_twin.h"
#include "bench/rows.grpc.pb.h"
#include "bench/rows.h"
#include "bench/stack_driver.h"
#include "course/v1/course.grpc.pb.h"

namespace course::bench {
namespace {

constexpr int kUsers = 1000;  // the child's store (its --seed default)

int IdFor(std::int64_t n, int thread) {
  return 1 + static_cast<int>((n * 7 + thread * 101) % kUsers);
}

// One call in flight, one connection: the REST server needs one thread.
StackConfig OneRestThread() {
  StackConfig config;
  config.rest_threads = 1;
  return config;
}

// A keep-alive HTTP/1.1 connection as a REST client would hold it.
std::unique_ptr<httplib::Client> RestClient(const StackServer& server) {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", server.rest_port());
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(kDeadline);
  client->set_read_timeout(kDeadline);
  client->set_write_timeout(kDeadline);
  return client;
}

// GET `path` and decode it with `check` (bytes moved, or -1). The first call
// of a thread opens its connection, before the timed loop.
template <typename Check>
std::int64_t RestGet(benchmark::State& state, httplib::Client& client, const std::string& path,
                     Check check) {
  httplib::Result result = client.Get(path);
  if (!result || result->status != 200) {
    state.SkipWithError(
        result ? ("GET " + path + " answered " + std::to_string(result->status)).c_str()
               : ("GET " + path + " failed: " + httplib::to_string(result.error())).c_str());
    return -1;
  }
  const std::int64_t bytes = check(result->body);
  if (bytes < 0) state.SkipWithError(("GET " + path + " answered an unexpected body").c_str());
  return bytes;
}

std::int64_t CheckUserJson(const std::string& body, int id) {
  v1::User user;
  if (!DecodeUserJson(body, &user) || user.id() != id) return -1;
  return static_cast<std::int64_t>(body.size());
}

void GrpcGetUser(benchmark::State& state, int connections) {
  static RunShare share;
  auto server = ServerOrSkip(state, StackConfig{});
  if (server == nullptr) return;
  auto stubs = Connect<v1::UserService>(state, server->grpc_address(), connections);
  if (stubs.empty()) return;
  UnaryRpc<v1::UserService, v1::GetUserRequest, v1::User> rpc;
  rpc.prepare = &v1::UserService::Stub::PrepareAsyncGetUser;
  rpc.make = [](std::int64_t n) {
    v1::GetUserRequest request;
    request.set_id(IdFor(n, 0));
    return request;
  };
  rpc.check = [](const v1::GetUserRequest& request, const v1::User& user) -> std::int64_t {
    return user.id() == request.id() ? static_cast<std::int64_t>(user.ByteSizeLong()) : -1;
  };
  RunAsync(state, *server, share, stubs, static_cast<int>(state.range(0)), rpc);
}

// One thread per connection: HTTP/1.1 carries one call at a time on a
// connection, so N calls in flight need N connections (and N server threads).
void RestGetUser(benchmark::State& state) {
  static RunShare share;
  StackConfig config;
  config.rest_threads = state.threads();
  auto server = ServerOrSkip(state, config);
  if (server == nullptr) return;
  auto client = RestClient(*server);
  const int thread = state.thread_index();
  {
    // Connections open one at a time: cpp-httplib listens with a backlog of
    // 5, and 256 threads connecting at once overflow it, which on a busy
    // machine ends some connections before their first answer.
    static std::mutex connecting;
    std::lock_guard lock(connecting);
    if (RestGet(state, *client, "/v1/users/1",
                [](const std::string& b) { return CheckUserJson(b, 1); }) < 0) {
      return;
    }
  }
  Tally tally;
  std::int64_t n = 0;
  share.Arrive(state, *server);
  for (auto _ : state) {
    const int id = IdFor(n++, thread);
    const Clock::time_point start = Clock::now();
    const std::int64_t bytes = RestGet(state, *client, "/v1/users/" + std::to_string(id),
                                       [id](const std::string& b) { return CheckUserJson(b, id); });
    if (bytes < 0) break;
    tally.latencies.Record(Nanos(Clock::now() - start));
    ++tally.calls;
    ++tally.round_trips;
    tally.bytes += bytes;
  }
  share.Leave(state, *server, tally);
}

// 1,000 users as one ListUsers stream; an iteration (a "call") is the list.
void GrpcStream(benchmark::State& state, bool batched) {
  static RunShare share;
  StackConfig config;
  config.batch_writes = batched;
  auto server = ServerOrSkip(state, config);
  if (server == nullptr) return;
  auto stubs = Connect<v1::UserService>(state, server->grpc_address(), 1);
  if (stubs.empty()) return;
  Tally tally;
  share.Arrive(state, *server);
  for (auto _ : state) {
    const Clock::time_point start = Clock::now();
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kDeadline);
    auto reader = stubs[0]->ListUsers(&context, v1::ListUsersRequest());
    v1::User user;
    std::int64_t users = 0;
    std::int64_t bytes = 0;
    while (reader->Read(&user)) {
      ++users;
      bytes += static_cast<std::int64_t>(user.ByteSizeLong());
    }
    grpc::Status status = reader->Finish();
    if (!status.ok() || users != kUsers) {
      state.SkipWithError(("ListUsers failed or came short: " + status.error_message()).c_str());
      break;
    }
    tally.latencies.Record(Nanos(Clock::now() - start));
    ++tally.calls;
    ++tally.round_trips;
    tally.bytes += bytes;
  }
  share.Leave(state, *server, tally);
}

// The same 1,000 users as REST pages them: GET a page, then the next from
// its next_after_id, until the last page.
void RestPages(benchmark::State& state) {
  static RunShare share;
  const auto page_size = static_cast<int>(state.range(0));
  auto server = ServerOrSkip(state, OneRestThread());
  if (server == nullptr) return;
  auto client = RestClient(*server);
  const std::string first = "/v1/users?page_size=" + std::to_string(page_size);
  if (RestGet(state, *client, first,
              [](const std::string& b) { return static_cast<std::int64_t>(b.size()); }) < 0) {
    return;
  }
  Tally tally;
  share.Arrive(state, *server);
  for (auto _ : state) {
    const Clock::time_point start = Clock::now();
    std::int32_t after = 0;
    std::int64_t users = 0;
    do {
      UserList page;
      const std::int64_t bytes = RestGet(
          state, *client, first + "&after_id=" + std::to_string(after),
          [&](const std::string& b) -> std::int64_t {
            return DecodeUserPageJson(b, &page, &after) ? static_cast<std::int64_t>(b.size()) : -1;
          });
      if (bytes < 0) break;
      users += page.users_size();
      tally.bytes += bytes;
      ++tally.round_trips;
    } while (after != 0);
    if (users != kUsers) {
      state.SkipWithError("the pages did not hold the 1,000 users");
      break;
    }
    tally.latencies.Record(Nanos(Clock::now() - start));
    ++tally.calls;
  }
  share.Leave(state, *server, tally);
}

// One table of range(0) protobuf bytes per call, one call in flight.
void GrpcRows(benchmark::State& state) {
  static RunShare share;
  auto server = ServerOrSkip(state, StackConfig{});
  if (server == nullptr) return;
  auto stubs = Connect<RowService>(state, server->rows_address(), 1);
  if (stubs.empty()) return;
  const std::int32_t count = RowsForProtobufBytes(static_cast<std::size_t>(state.range(0)));
  Rows expected;
  FillRows(count, &expected);
  const auto bytes = static_cast<std::int64_t>(expected.ByteSizeLong());
  UnaryRpc<RowService, RowsRequest, Rows> rpc;
  rpc.prepare = &RowService::Stub::PrepareAsyncGetRows;
  rpc.make = [count](std::int64_t) {
    RowsRequest request;
    request.set_count(count);
    return request;
  };
  rpc.check = [count, bytes](const RowsRequest&, const Rows& rows) {
    return rows.rows_size() == count ? bytes : -1;
  };
  RunAsync(state, *server, share, stubs, 1, rpc);
}

void RestRows(benchmark::State& state) {
  static RunShare share;
  auto server = ServerOrSkip(state, OneRestThread());
  if (server == nullptr) return;
  auto client = RestClient(*server);
  const std::int32_t count = RowsForProtobufBytes(static_cast<std::size_t>(state.range(0)));
  const std::string path = "/v1/rows?count=" + std::to_string(count);
  auto check = [count](const std::string& body) -> std::int64_t {
    Rows rows;
    return DecodeRowsJson(body, &rows) && rows.rows_size() == count
               ? static_cast<std::int64_t>(body.size())
               : -1;
  };
  if (RestGet(state, *client, path, check) < 0) return;
  Tally tally;
  share.Arrive(state, *server);
  for (auto _ : state) {
    const Clock::time_point start = Clock::now();
    const std::int64_t bytes = RestGet(state, *client, path, check);
    if (bytes < 0) break;
    tally.latencies.Record(Nanos(Clock::now() - start));
    ++tally.calls;
    ++tally.round_trips;
    tally.bytes += bytes;
  }
  share.Leave(state, *server, tally);
}

constexpr int kInFlight[] = {1, 4, 16, 64, 256};
constexpr std::int64_t kBytes[] = {100, 1 << 10, 10 << 10, 100 << 10, 1 << 20};

const bool kRegistered = [] {
  auto grpc1 = benchmark::RegisterBenchmark("Stacks/GetUser/gRPC_1conn", GrpcGetUser, 1);
  auto grpc4 = benchmark::RegisterBenchmark("Stacks/GetUser/gRPC_4conns", GrpcGetUser, 4);
  auto rest = benchmark::RegisterBenchmark("Stacks/GetUser/REST", RestGetUser);
  for (int n : kInFlight) {
    grpc1->Arg(n);
    grpc4->Arg(n);
    rest->Threads(n);
  }
  for (auto* b : {grpc1, grpc4}) b->ArgName("in_flight")->UseRealTime();
  rest->UseRealTime();
  benchmark::RegisterBenchmark("Stacks/List1000/gRPC_stream", GrpcStream, false)->UseRealTime();
  benchmark::RegisterBenchmark("Stacks/List1000/gRPC_stream_batched", GrpcStream, true)
      ->UseRealTime();
  benchmark::RegisterBenchmark("Stacks/List1000/REST_pages", RestPages)
      ->ArgName("page_size")
      ->Arg(10)
      ->Arg(100)
      ->Arg(1000)
      ->UseRealTime();
  auto grpc_rows = benchmark::RegisterBenchmark("Stacks/Rows/gRPC", GrpcRows);
  auto rest_rows = benchmark::RegisterBenchmark("Stacks/Rows/REST", RestRows);
  for (auto* b : {grpc_rows, rest_rows}) {
    for (std::int64_t bytes : kBytes) b->Arg(bytes);
    b->ArgName("bytes")->UseRealTime();
  }
  for (auto* b : {grpc1, grpc4, rest}) b->Unit(benchmark::kMicrosecond);
  return true;
}();

}  // namespace
}  // namespace course::bench
