// A conformance check: one behaviour of the contract, with a stable id, the
// rule it checks, and a body that runs against any Target.
#ifndef COURSE_HARNESS_CORE_CHECK_H_
#define COURSE_HARNESS_CORE_CHECK_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/service_options.h"
#include "core/target.h"
#include "course/v1/course.grpc.pb.h"

namespace course::harness {

// kWarn: a SHOULD or INFO check that did not hold; reported, never a failure.
enum class Outcome { kPass, kFail, kError, kSkip, kWarn };
const char* OutcomeName(Outcome outcome);  // "pass", "fail", "error", "skip", "warn"

// How strongly the specification demands what a check tests. MUST checks
// fail; SHOULD checks (the spec recommends) and INFO checks (the spec leaves
// the choice to the implementation) only warn.
enum class Level { kMust, kShould, kInfo };
const char* LevelName(Level level);  // "MUST", "SHOULD", "INFO"

// What a failing check tells a person: the rule's words, not gRPC's.
struct Finding {
  std::string message;    // one line: what went wrong
  std::string sent;       // what the check sent
  std::string received;   // what came back
  std::string expected;   // what the rule demands
  std::string hint;       // the usual mistake behind this failure
  std::string reproduce;  // a command that makes the call by hand
  std::string trace;      // the HTTP/2 frames of the check (wire checks), for --trace
};

// Thrown by a check body to fail; anything else thrown is an error.
class CheckFailed : public std::exception {
 public:
  explicit CheckFailed(Finding finding) : finding_(std::move(finding)) {}
  const char* what() const noexcept override { return finding_.message.c_str(); }
  const Finding& finding() const { return finding_; }

 private:
  Finding finding_;
};

// Thrown by a check body when the target cannot run it (for example S4 on a
// server the harness did not start).
class CheckSkipped : public std::exception {
 public:
  explicit CheckSkipped(std::string reason) : reason_(std::move(reason)) {}
  const char* what() const noexcept override { return reason_.c_str(); }

 private:
  std::string reason_;
};

// Everything a check body may use. One per check run.
class CheckContext {
 public:
  CheckContext(Target& target, std::string run_tag, std::uint64_t seed,
               std::chrono::milliseconds rpc_deadline,
               std::shared_ptr<const ServiceOptions> service = nullptr);

  Target& target() { return target_; }
  v1::UserService::Stub& users() { return *users_; }
  v1::ChatService::Stub& chat() { return *chat_; }
  std::mt19937_64& rng() { return rng_; }
  std::chrono::milliseconds rpc_deadline() const { return rpc_deadline_; }
  // What the run was told about the service (the protocol suite's options).
  const ServiceOptions& service() const { return *service_; }

  // A fresh ClientContext with a deadline (the run's default when zero).
  // `authorized` adds the target's token, for CreateUsers (M2).
  std::unique_ptr<grpc::ClientContext> NewCall(
      std::chrono::milliseconds deadline = std::chrono::milliseconds(0),
      bool authorized = false) const;

  // Values unique to this run, so checks never collide with users that are
  // already on the server, or with each other.
  std::string UniqueEmail(const std::string& tag = "u");
  std::string UniqueRoom();

  // The transcript shown when the check fails.
  void Sent(const std::string& what);
  void Received(const std::string& what);
  void Reproduce(const std::string& command) { reproduce_ = command; }
  // The frame log shown with --trace; replaces the previous one.
  void SetTrace(const std::string& frames) { trace_ = frames; }
  // Something worth reporting even when the check passes (a measurement).
  void Note(const std::string& text) { notes_.push_back(text); }
  std::string Notes() const;

  // Ends the check as failed.
  [[noreturn]] void Fail(const std::string& message, const std::string& expected,
                         const std::string& hint = "");
  // Fails unless `status` has exactly `code`.
  void ExpectCode(const grpc::Status& status, grpc::StatusCode code, const std::string& what,
                  const std::string& hint = "");
  // Fails unless `condition` holds.
  void Expect(bool condition, const std::string& message, const std::string& expected,
              const std::string& hint = "");

 private:
  Target& target_;
  std::string run_tag_;
  std::mt19937_64 rng_;
  std::chrono::milliseconds rpc_deadline_;
  std::shared_ptr<const ServiceOptions> service_;
  std::unique_ptr<v1::UserService::Stub> users_;
  std::unique_ptr<v1::ChatService::Stub> chat_;
  int counter_ = 0;
  std::vector<std::string> sent_, received_;
  std::string reproduce_;
  std::string trace_;
  std::vector<std::string> notes_;
};

struct CheckDef {
  std::string id;     // "unary.get-user.rejects-non-positive-id"
  std::string rule;   // "G1"
  std::string title;  // a sentence: "GetUser rejects an id <= 0 with INVALID_ARGUMENT"
  std::function<void(CheckContext&)> body;
  Level level = Level::kMust;
  // The check stops the server (SIGTERM): a run of several suites takes
  // such checks last.
  bool stops_server = false;
  // The area is the id's first component ("unary").
  std::string area() const { return id.substr(0, id.find('.')); }
};

// Every check, in a stable order: grouped by area, then as registered.
const std::vector<CheckDef>& AllChecks();

// Each suite file adds its checks.
void AddUnaryChecks(std::vector<CheckDef>& checks);
void AddServerStreamingChecks(std::vector<CheckDef>& checks);
void AddClientStreamingChecks(std::vector<CheckDef>& checks);
void AddChatChecks(std::vector<CheckDef>& checks);
void AddErrorChecks(std::vector<CheckDef>& checks);
void AddDeadlineChecks(std::vector<CheckDef>& checks);
void AddMetadataChecks(std::vector<CheckDef>& checks);
void AddWireChecks(std::vector<CheckDef>& checks);  // harness/wire
void AddServerChecks(std::vector<CheckDef>& checks);

}  // namespace course::harness

#endif  // COURSE_HARNESS_CORE_CHECK_H_
