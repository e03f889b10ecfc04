#include "bench/rest_twin.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "bench/rows.h"

namespace course::bench {
namespace {

using nlohmann::json;

json ToJson(const v1::User& user) {
  return json{{"id", user.id()}, {"name", user.name()}, {"email", user.email()}};
}

// Fills `user` the way a typed REST client would: every field present and
// of the right type, or the whole document is rejected.
bool FromJson(const json& value, v1::User* user) {
  if (!value.is_object()) return false;
  auto id = value.find("id");
  auto name = value.find("name");
  auto email = value.find("email");
  if (id == value.end() || !id->is_number_integer() || name == value.end() || !name->is_string() ||
      email == value.end() || !email->is_string()) {
    return false;
  }
  user->set_id(id->get<std::int32_t>());
  user->set_name(name->get_ref<const std::string&>());
  user->set_email(email->get_ref<const std::string&>());
  return true;
}

// A non-negative decimal query parameter, or `fallback` when absent; -1 when
// present but not a number in range.
std::int32_t IntParam(const httplib::Request& request, const char* name, std::int32_t fallback) {
  if (!request.has_param(name)) return fallback;
  const std::string text = request.get_param_value(name);
  std::int32_t value = -1;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return -1;
  return value;
}

void BadRequest(httplib::Response& response, const std::string& message) {
  response.status = 400;
  response.set_content(json{{"error", message}}.dump(), "application/json");
}

void ServeUserPage(const domain::UserStore& users, const httplib::Request& request,
                   httplib::Response& response) {
  const std::int32_t page_size = IntParam(request, "page_size", 100);
  const std::int32_t after_id = IntParam(request, "after_id", 0);
  if (page_size < 1 || page_size > 1000 || after_id < 0) {
    BadRequest(response, "page_size must be 1 to 1000 and after_id a non-negative number");
    return;
  }
  json page = json::array();
  std::int32_t last = after_id;
  for (std::int32_t i = 0; i < page_size; ++i) {
    std::optional<domain::User> user = users.FirstAfter(last);
    if (!user) break;
    last = user->id;
    page.push_back(json{{"id", user->id}, {"name", user->name}, {"email", user->email}});
  }
  json body{{"users", std::move(page)}};
  if (users.FirstAfter(last)) body["next_after_id"] = last;
  response.set_content(body.dump(), "application/json");
}

void ServeRows(const httplib::Request& request, httplib::Response& response) {
  const std::int32_t count = IntParam(request, "count", -1);
  if (count < 0 || count > kMaxRows) {
    BadRequest(response, "count must be 0 to " + std::to_string(kMaxRows));
    return;
  }
  response.set_content(RowsJson(count), "application/json");
}

}  // namespace

std::string EncodeUserJson(const v1::User& user) { return ToJson(user).dump(); }

bool DecodeUserJson(std::string_view text, v1::User* user) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return FromJson(value, user);
}

std::string EncodeUserListJson(const UserList& list) {
  json users = json::array();
  for (const v1::User& user : list.users()) users.push_back(ToJson(user));
  return json{{"users", std::move(users)}}.dump();
}

bool DecodeUserListJson(std::string_view text, UserList* list) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return false;
  auto users = value.find("users");
  if (users == value.end() || !users->is_array()) return false;
  list->mutable_users()->Reserve(static_cast<int>(users->size()));
  for (const json& user : *users) {
    if (!FromJson(user, list->add_users())) return false;
  }
  return true;
}

bool DecodeUserPageJson(std::string_view text, UserList* list, std::int32_t* next_after_id) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return false;
  auto users = value.find("users");
  if (users == value.end() || !users->is_array()) return false;
  for (const json& user : *users) {
    if (!FromJson(user, list->add_users())) return false;
  }
  *next_after_id = 0;
  auto next = value.find("next_after_id");
  if (next != value.end()) {
    if (!next->is_number_integer()) return false;
    *next_after_id = next->get<std::int32_t>();
  }
  return true;
}

RestTwin::RestTwin(const domain::UserStore& store)
    : store_(store), server_(std::make_unique<httplib::Server>()) {}

std::unique_ptr<RestTwin> RestTwin::Start(const domain::UserStore& store,
                                          const RestOptions& options) {
  std::unique_ptr<RestTwin> twin(new RestTwin(store));
  httplib::Server& server = *twin->server_;
  server.set_tcp_nodelay(true);
  const auto threads = static_cast<std::size_t>(std::max(1, options.threads));
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // httplib closes a keep-alive connection after 5 requests by default; a
  // REST client in production would keep it, and so does gRPC.
  server.set_keep_alive_max_count(1u << 30);
  // Idle keep-alive connections stay open for a minute (httplib closes them
  // after 5 s), as production servers keep them (nginx: 75 s): with 256
  // connections opened one by one on a busy machine, the first would
  // otherwise be closed before the last is open.
  server.set_keep_alive_timeout(60);
  const domain::UserStore* users = &twin->store_;
  server.Get(R"(/v1/users/(-?\d+))",
             [users](const httplib::Request& request, httplib::Response& response) {
               const std::string& text = request.matches[1].str();
               std::int32_t id = 0;
               std::from_chars(text.data(), text.data() + text.size(), id);
               absl::StatusOr<domain::User> user = users->Get(id);
               if (!user.ok()) {
                 response.status = absl::IsNotFound(user.status()) ? 404 : 400;
                 response.set_content(json{{"error", std::string(user.status().message())}}.dump(),
                                      "application/json");
                 return;
               }
               v1::User out;
               out.set_id(user->id);
               out.set_name(user->name);
               out.set_email(user->email);
               response.set_content(EncodeUserJson(out), "application/json");
             });
  server.Get("/v1/users", [users](const httplib::Request& request, httplib::Response& response) {
    ServeUserPage(*users, request, response);
  });
  server.Get("/v1/rows", ServeRows);
  twin->port_ = server.bind_to_any_port("127.0.0.1");
  if (twin->port_ <= 0) return nullptr;
  // The socket already listens (bind_to_any_port binds and listens), so
  // clients may connect before the accept loop runs.
  twin->thread_ = std::thread([&server] { server.listen_after_bind(); });
  // httplib's stop() does nothing until the accept loop has started
  // (is_running), so a twin stopped at once (a benchmark run of a single
  // iteration on a busy machine) would leave that loop running and its
  // destructor waiting on it for ever. An answered request (404 here) means
  // the loop runs. Should none come, the twin is leaked rather than joined.
  httplib::Client probe("127.0.0.1", twin->port_);
  probe.set_connection_timeout(std::chrono::seconds(10));
  probe.set_read_timeout(std::chrono::seconds(10));
  if (!probe.Get("/") || !server.is_running()) {
    twin.release();  // NOLINT(bugprone-unused-return-value): see above
    return nullptr;
  }
  return twin;
}

RestTwin::~RestTwin() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace course::bench
