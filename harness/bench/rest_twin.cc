#include "bench/rest_twin.h"

#include <httplib.h>

#include <charconv>
#include <nlohmann/json.hpp>

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

RestTwin::RestTwin(const domain::UserStore& store)
    : store_(store), server_(std::make_unique<httplib::Server>()) {}

std::unique_ptr<RestTwin> RestTwin::Start(const domain::UserStore& store) {
  std::unique_ptr<RestTwin> twin(new RestTwin(store));
  httplib::Server& server = *twin->server_;
  server.set_tcp_nodelay(true);
  // httplib closes a keep-alive connection after 5 requests by default; a
  // REST client in production would keep it, and so does gRPC.
  server.set_keep_alive_max_count(1u << 30);
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
  twin->port_ = server.bind_to_any_port("127.0.0.1");
  if (twin->port_ <= 0) return nullptr;
  // The socket already listens (bind_to_any_port binds and listens), so
  // clients may connect before the accept loop runs.
  twin->thread_ = std::thread([&server] { server.listen_after_bind(); });
  return twin;
}

RestTwin::~RestTwin() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace course::bench
