// The REST/JSON twin of GetUser: the same store behind HTTP/1.1 and JSON, so
// that gRPC and REST are compared on the same data and the same machine. The
// HTTP server and client are cpp-httplib's (Debian's libcpp-httplib-dev);
// the JSON is nlohmann's. Both sides keep connections alive and send with
// TCP_NODELAY, as gRPC does.
//
//   GET /v1/users/{id}  ->  200 {"id":1,"name":"...","email":"..."}
//                           400 / 404 {"error": "..."}  (G1 / G2)
//   GET /v1/users?page_size=N&after_id=K
//                       ->  200 {"users":[...], "next_after_id":K2}: a page of
//                           ListUsers (L2) as REST pages it, next_after_id
//                           present while more users follow; 400 when
//                           page_size is not 1 to 1000
//   GET /v1/rows?count=N -> 200 the benchmark table (rows.h) as JSON
#ifndef COURSE_HARNESS_BENCH_REST_TWIN_H_
#define COURSE_HARNESS_BENCH_REST_TWIN_H_

#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "bench/user_list.pb.h"
#include "course/v1/course.pb.h"
#include "domain/user_store.h"

namespace httplib {
class Server;
}

namespace course::bench {

// JSON with the proto's field names, as a REST API would write it.
std::string EncodeUserJson(const v1::User& user);
bool DecodeUserJson(std::string_view text, v1::User* user);
std::string EncodeUserListJson(const UserList& list);
bool DecodeUserListJson(std::string_view text, UserList* list);
// A page of GET /v1/users: its users, and the after_id of the next page (0
// on the last page).
bool DecodeUserPageJson(std::string_view text, UserList* list, std::int32_t* next_after_id);

struct RestOptions {
  // Worker threads of the HTTP server. cpp-httplib gives each keep-alive
  // connection a thread for as long as it stays open, so this must be at
  // least the number of client connections or the extra ones wait.
  int threads = 8;
};

class RestTwin {
 public:
  // Serves `store` on 127.0.0.1 with a free port; nullptr when it cannot.
  static std::unique_ptr<RestTwin> Start(const domain::UserStore& store,
                                         const RestOptions& options = {});
  ~RestTwin();

  int port() const { return port_; }

 private:
  explicit RestTwin(const domain::UserStore& store);

  const domain::UserStore& store_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace course::bench

#endif  // COURSE_HARNESS_BENCH_REST_TWIN_H_
