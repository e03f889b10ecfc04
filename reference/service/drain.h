// A prompt drain on shutdown (S4).
//
// gRPC C++ 1.51's Server::Shutdown(deadline) stops taking calls, lets the
// calls in flight finish, and returns once every connection has closed. A
// client that keeps its connection open while idle (every channel does,
// after its last call) holds Shutdown until the deadline itself, and only
// then does gRPC close the connection. So a server with nothing left to do
// would wait its whole grace period.
//
// The drain counts calls in flight with an interceptor, and once none is
// left it closes the remaining (idle) connections at once, instead of at the
// deadline. A call still in flight keeps its grace period in full.
#ifndef COURSE_REFERENCE_SERVICE_DRAIN_H_
#define COURSE_REFERENCE_SERVICE_DRAIN_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <atomic>
#include <chrono>
#include <memory>

namespace course::service {

// The number of calls the server is running. Register MakeFactory() with
// the server's interceptors; the counter must outlive the server.
class CallsInFlight {
 public:
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeFactory();
  int count() const { return count_.load(); }

 private:
  friend class CountingInterceptor;
  std::atomic<int> count_{0};
};

// Server::Shutdown with `grace` for the calls in flight, but over as soon as
// none is: idle connections do not hold it up. Then waits for the server.
void DrainAndShutdown(grpc::Server& server, const CallsInFlight& calls,
                      std::chrono::milliseconds grace);

}  // namespace course::service

#endif  // COURSE_REFERENCE_SERVICE_DRAIN_H_
