#include "service/drain.h"

#include <grpc/grpc.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace course::service {

// Lives exactly as long as its call: gRPC creates one per call and deletes
// it when the call is over.
class CountingInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit CountingInterceptor(CallsInFlight& calls) : calls_(calls) { ++calls_.count_; }
  ~CountingInterceptor() override { --calls_.count_; }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }

 private:
  CallsInFlight& calls_;
};

namespace {

class CountingInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CountingInterceptorFactory(CallsInFlight& calls) : calls_(calls) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* /*info*/) override {
    return new CountingInterceptor(calls_);
  }

 private:
  CallsInFlight& calls_;
};

// How often the drain looks whether the last call has ended.
constexpr std::chrono::milliseconds kPollInterval(10);

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
CallsInFlight::MakeFactory() {
  return std::make_unique<CountingInterceptorFactory>(*this);
}

void DrainAndShutdown(grpc::Server& server, const CallsInFlight& calls,
                      std::chrono::milliseconds grace) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread shutdown([&] {
    server.Shutdown(std::chrono::system_clock::now() + grace);
    std::lock_guard lock(mu);
    done = true;
    cv.notify_all();
  });
  // While Shutdown waits: whenever no call is in flight, close every
  // connection (grpc_server_cancel_all_calls cancels the calls left, here
  // none, and disconnects the transports). Repeated until Shutdown returns,
  // because a round that came before Shutdown had stopped the listeners may
  // have missed a connection made just then. A call in flight is never cut
  // short here: Shutdown's own deadline does that.
  std::unique_lock lock(mu);
  while (!cv.wait_for(lock, kPollInterval, [&] { return done; })) {
    if (calls.count() == 0) grpc_server_cancel_all_calls(server.c_server());
  }
  lock.unlock();
  shutdown.join();
  server.Wait();
}

}  // namespace course::service
