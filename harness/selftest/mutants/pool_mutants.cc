#include "mutants/pool_mutants.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>

#include "service/status_convert.h"

namespace course::mutants {
namespace {

void ToProto(const domain::User& user, v1::User* out) {
  out->set_id(user.id);
  out->set_name(user.name);
  out->set_email(user.email);
}

// ListUsers written the way a blocking handler is: a worker writes a user,
// waits until the write is done, sleeps, writes the next.
class PooledListReactor final : public grpc::ServerWriteReactor<v1::User> {
 public:
  // Runs on `pool`, or on a thread of its own when `pool` is null.
  PooledListReactor(WorkerPool* pool, const domain::UserStore& store,
                    const v1::ListUsersRequest& request)
      : store_(store), request_(request) {
    if (pool != nullptr) {
      pool->Submit([this] { Produce(); });
    } else {
      std::thread([this] { Produce(); }).detach();
    }
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    write_ok_ = ok;
    written_ = true;
    write_done_.notify_one();
  }
  void OnDone() override { delete this; }

 private:
  bool Write(const domain::User& user) {
    ToProto(user, &outgoing_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      written_ = false;
    }
    StartWrite(&outgoing_);
    std::unique_lock<std::mutex> lock(mu_);
    write_done_.wait(lock, [this] { return written_; });
    return write_ok_;
  }

  // Runs on a worker. Finish is its last use of this reactor.
  void Produce() {
    const std::chrono::milliseconds interval(request_.interval_ms());
    std::int32_t cursor = request_.after_id();
    int sent = 0;
    while (request_.page_size() == 0 || sent < request_.page_size()) {
      std::optional<domain::User> next = store_.FirstAfter(cursor);
      if (!next) break;
      if (sent > 0) std::this_thread::sleep_for(interval);
      if (!Write(*next)) {
        Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
        return;
      }
      cursor = next->id;
      ++sent;
    }
    Finish(grpc::Status::OK);
  }

  const domain::UserStore& store_;
  const v1::ListUsersRequest request_;
  v1::User outgoing_;
  std::mutex mu_;
  std::condition_variable write_done_;
  bool written_ = false;
  bool write_ok_ = false;
};

}  // namespace

WorkerPool::WorkerPool(int workers) {
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void WorkerPool::Submit(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    tasks_.push_back(std::move(task));
  }
  changed_.notify_one();
}

void WorkerPool::Work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, and nothing left to do
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

grpc::ServerUnaryReactor* PooledGetUser(WorkerPool& pool, const domain::UserStore& store,
                                        grpc::CallbackServerContext* context,
                                        const v1::GetUserRequest* request, v1::User* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const std::int32_t id = request->id();
  pool.Submit([&store, reactor, response, id] {
    absl::StatusOr<domain::User> user = store.Get(id);
    if (user.ok()) ToProto(*user, response);
    reactor->Finish(service::ToGrpcStatus(user.status()));
  });
  return reactor;
}

grpc::ServerWriteReactor<v1::User>* PooledListUsers(WorkerPool& pool,
                                                    const domain::UserStore& store,
                                                    const v1::ListUsersRequest& request) {
  return new PooledListReactor(&pool, store, request);
}

grpc::ServerWriteReactor<v1::User>* ThreadPerCallListUsers(const domain::UserStore& store,
                                                           const v1::ListUsersRequest& request) {
  return new PooledListReactor(nullptr, store, request);
}

}  // namespace course::mutants
