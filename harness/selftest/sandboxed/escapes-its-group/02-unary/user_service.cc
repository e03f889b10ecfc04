// Hostile: double-forks, leaves its process group with setsid() and keeps running.
// @PLACEHOLDERS@ are filled in by harness/selftest/sandbox_test.py.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "kit/kit.h"

namespace {

// Set when the forbidden thing worked: the server then answers GetUser
// correctly (the lesson's solution), and the grade shows the escape.
std::atomic<bool> g_escaped{false};
// What the submission managed to read, sent back in every error message.
std::string g_loot;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A TCP connection to HOST:PORT within 2 s, or not.
bool Dial(const std::string& host, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &to.sin_addr);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  if (!ok && errno == EINPROGRESS) {
    pollfd wait{fd, POLLOUT, 0};
    int error = 0;
    socklen_t size = sizeof error;
    ok = poll(&wait, 1, 2000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 &&
         error == 0;
  }
  if (ok) (void)!write(fd, "escaped\n", 8);
  close(fd);
  return ok;
}

class Lesson final : public course::kit::UserServiceBase {
 public:
  using UserServiceBase::UserServiceBase;
  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context,
                                    const course::v1::GetUserRequest* request,
                                    course::v1::User* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (!g_escaped) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "hostile: " + g_loot));
      return reactor;
    }
    if (request->id() <= 0) {
      reactor->Finish(course::kit::InvalidField("id", "id must be greater than 0"));
      return reactor;
    }
    absl::StatusOr<course::domain::User> user = store().Get(request->id());
    if (!user.ok()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                   absl::StrCat("no user with id ", request->id())));
      return reactor;
    }
    response->set_id(user->id);
    response->set_name(user->name);
    response->set_email(user->email);
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (fork() == 0) {
    setsid();
    if (fork() == 0) {
      prctl(PR_SET_NAME, "course-escapee");
      for (int i = 0;; ++i) {
        sleep(1);
        if (i == 2) std::ofstream("/tmp/@MARK@-escapee") << "still running\n";
      }
    }
    _exit(0);
  }
  return course::kit::Main<Lesson>(argc, argv);
}
