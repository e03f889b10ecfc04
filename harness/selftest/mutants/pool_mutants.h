// L3-pool: the pattern of a Python grpcio server with many workers. Every
// GetUser and ListUsers runs on one worker of a fixed pool, and the pause of
// ListUsers is a plain sleep of that worker that the end of the call does not
// wake. It stops at the first write that fails, as grpcio does, so an
// abandoned list holds its worker for one interval after its client left;
// enough of them at once leave no worker for anybody else.
#ifndef COURSE_HARNESS_SELFTEST_MUTANTS_POOL_MUTANTS_H_
#define COURSE_HARNESS_SELFTEST_MUTANTS_POOL_MUTANTS_H_

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "course/v1/course.grpc.pb.h"
#include "domain/user_store.h"

namespace course::mutants {

// A fixed number of threads taking tasks in order.
class WorkerPool {
 public:
  explicit WorkerPool(int workers);
  ~WorkerPool();  // lets the queued tasks run, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(std::function<void()> task);

 private:
  void Work();

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// The worker count of a grpcio server tuned for many calls.
inline constexpr int kPoolWorkers = 256;

grpc::ServerUnaryReactor* PooledGetUser(WorkerPool& pool, const domain::UserStore& store,
                                        grpc::CallbackServerContext* context,
                                        const v1::GetUserRequest* request, v1::User* response);
grpc::ServerWriteReactor<v1::User>* PooledListUsers(WorkerPool& pool,
                                                    const domain::UserStore& store,
                                                    const v1::ListUsersRequest& request);

// L3-thread: the same ListUsers, each call on a thread of its own. Other
// calls never wait, but every abandoned list leaves a thread asleep.
grpc::ServerWriteReactor<v1::User>* ThreadPerCallListUsers(const domain::UserStore& store,
                                                           const v1::ListUsersRequest& request);

}  // namespace course::mutants

#endif  // COURSE_HARNESS_SELFTEST_MUTANTS_POOL_MUTANTS_H_
