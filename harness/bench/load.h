// `course bench`: a load generator for any course.v1 server.
//
//   course bench                                   GetUser on the reference
//   course bench --target 127.0.0.1:50051 --rpc ListUsers --duration 30
//   course bench --rate 20000 --concurrency 256    open loop, 20,000 calls/s
//
// Closed loop (the default): `--concurrency` calls are always in flight,
// spread over `--connections` separate HTTP/2 connections; each finished
// call starts the next. Open loop (`--rate`): calls are due at fixed times,
// and each one's latency is timed from when it was due, not from when it
// could start, so a server that falls behind shows its queueing delay
// (no coordinated omission). `--concurrency` then bounds the calls in flight.
//
// The generator runs on gRPC's completion-queue API, one completion queue
// and one thread per CPU it may use, with channels, stubs and per-call state
// made before the run: the hot path allocates nothing of ours and takes no
// lock.
#ifndef COURSE_HARNESS_BENCH_LOAD_H_
#define COURSE_HARNESS_BENCH_LOAD_H_

#include <CLI/CLI.hpp>

#include <cstdint>
#include <ostream>
#include <string>

#include "core/target.h"

namespace course::bench {

struct LoadOptions {
  std::string rpc = "GetUser";  // GetUser | ListUsers | CreateUsers | Chat
  int concurrency = 32;         // calls in flight (a bound, with --rate)
  int connections = 1;          // separate channels, one connection each
  int threads = 0;              // 0: one per CPU this process may use
  double duration_s = 10;       // measured time, after the warm-up
  std::int64_t requests = 0;    // > 0: this many calls instead of a duration
  double rate = 0;              // > 0: open loop, calls per second
  double warmup_s = 0;          // calls started before this are not counted
  int deadline_ms = 5000;       // every call has one
  int timeout_s = 600;          // bound on the whole run
  int messages = 1;             // per call: CreateUsers requests, Chat messages
  int page_size = 100;          // ListUsers page, made to exist before the run
  int id = 0;                   // GetUser id; 0: an existing user's
  std::string json_path;
};

// Declares the flags of `course bench` (besides the target flags).
void AddLoadFlags(CLI::App* app, LoadOptions* options);

// Prepares the data the RPC needs (users to get or list), runs the load,
// prints a progress line while it runs (an updating one on a terminal,
// a plain line every 5 s otherwise) and the report. Returns 0 when every
// call ended OK, 1 when some did not, 2 when the run could not happen.
int RunLoad(harness::Target& target, const LoadOptions& options, std::ostream& out,
            std::ostream& err);

}  // namespace course::bench

#endif  // COURSE_HARNESS_BENCH_LOAD_H_
