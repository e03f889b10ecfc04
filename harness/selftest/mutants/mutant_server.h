// The mutant server: the reference's pieces assembled around one fault. The
// faults of the server as a whole (S1-S3, M1) are made here, by leaving a
// piece out or setting a limit differently.
#ifndef COURSE_HARNESS_SELFTEST_MUTANTS_MUTANT_SERVER_H_
#define COURSE_HARNESS_SELFTEST_MUTANTS_MUTANT_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "domain/user_store.h"
#include "mutants/domain_mutants.h"
#include "mutants/service_mutants.h"
#include "service/drain.h"

namespace course::mutants {

struct MutantServerOptions {
  // A name from Catalogue(); any other name leaves the reference's behaviour.
  std::string fault;
  // HOST:PORT to listen on; port 0 picks a free port.
  std::string listen = "127.0.0.1:0";
  // When non-empty, CreateUsers needs `authorization: Bearer <token>` (M2).
  std::string token;
  // Users to create at start, as the reference's --seed does.
  int seed = 0;
  // Where the per-call log goes; nullptr turns it off.
  std::FILE* call_log = nullptr;
};

class MutantServer {
 public:
  static absl::StatusOr<std::unique_ptr<MutantServer>> Start(const MutantServerOptions& options);
  ~MutantServer();

  // "127.0.0.1:40123", with the real port.
  const std::string& address() const { return address_; }
  // Stops taking calls and gives calls in flight up to `grace`.
  void Shutdown(std::chrono::milliseconds grace);

 private:
  explicit MutantServer(const MutantServerOptions& options);

  domain::InMemoryUserStore stored_users_;
  FaultyUserStore store_;
  FaultyHub hub_;
  MutantUserService user_service_;
  MutantChatService chat_service_;
  std::unique_ptr<grpc::Service> undescribed_;  // S2-undescribed only
  service::CallsInFlight calls_;                // outlives server_, as in the reference
  // interop.* faults only: gRPC's interop test service, broken for one case.
  std::unique_ptr<grpc::Service> test_service_;
  std::unique_ptr<grpc::Service> unimplemented_service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  bool shut_down_ = false;
};

}  // namespace course::mutants

#endif  // COURSE_HARNESS_SELFTEST_MUTANTS_MUTANT_SERVER_H_
