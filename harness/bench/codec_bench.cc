// Protocol Buffers against JSON (nlohmann's) for the course's messages: one
// User, and a list of 1,000. Each benchmark starts from the same typed
// objects and ends with them: encoding turns a User (or UserList) into
// bytes, decoding turns bytes back into a fresh User (or UserList).
//
// Counters: `bytes` is the encoded size; bytes_per_second and
// items_per_second (users) follow from it.
#include <benchmark/benchmark.h>

#include <string>

#include "bench/rest_twin.h"
#include "bench/user_list.pb.h"

namespace course::bench {
namespace {

// Names and emails of realistic, varied lengths.
v1::User MakeUser(int i) {
  static const char* const kNames[] = {"Ada Lovelace", "Alan Turing", "Grace Hopper",
                                       "Edsger Dijkstra", "Barbara Liskov"};
  const std::string name = kNames[i % 5];
  v1::User user;
  user.set_id(i);
  user.set_name(name + " " + std::to_string(i));
  std::string local;
  for (char c : name) local += c == ' ' ? '.' : static_cast<char>(c | 0x20);
  user.set_email(local + std::to_string(i) + "@example.org");
  return user;
}

UserList MakeList(int n) {
  UserList list;
  for (int i = 1; i <= n; ++i) *list.add_users() = MakeUser(i);
  return list;
}

// One User is encoded as a User, n > 1 as a UserList.
struct Protobuf {
  static std::string Encode(const UserList& list) {
    return list.users_size() == 1 ? list.users(0).SerializeAsString() : list.SerializeAsString();
  }
  static bool Decode(const std::string& bytes, int n) {
    if (n == 1) {
      v1::User user;
      return user.ParseFromString(bytes);
    }
    UserList list;
    return list.ParseFromString(bytes) && list.users_size() == n;
  }
};

struct Json {
  static std::string Encode(const UserList& list) {
    return list.users_size() == 1 ? EncodeUserJson(list.users(0)) : EncodeUserListJson(list);
  }
  static bool Decode(const std::string& text, int n) {
    if (n == 1) {
      v1::User user;
      return DecodeUserJson(text, &user);
    }
    UserList list;
    return DecodeUserListJson(text, &list) && list.users_size() == n;
  }
};

void SetCounters(benchmark::State& state, std::size_t size, int n) {
  state.counters["bytes"] = static_cast<double>(size);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
  state.SetItemsProcessed(state.iterations() * n);
}

template <typename Codec>
void BM_Encode(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const UserList list = MakeList(n);
  std::size_t size = 0;
  for (auto _ : state) {
    std::string bytes = Codec::Encode(list);
    size = bytes.size();
    benchmark::DoNotOptimize(bytes);
  }
  SetCounters(state, size, n);
}

template <typename Codec>
void BM_Decode(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string bytes = Codec::Encode(MakeList(n));
  for (auto _ : state) {
    if (!Codec::Decode(bytes, n)) {
      state.SkipWithError("decoding what was just encoded failed");
      break;
    }
  }
  SetCounters(state, bytes.size(), n);
}

BENCHMARK_TEMPLATE(BM_Encode, Protobuf)->Name("Encode/Protobuf/users")->Arg(1)->Arg(1000);
BENCHMARK_TEMPLATE(BM_Encode, Json)->Name("Encode/Json/users")->Arg(1)->Arg(1000);
BENCHMARK_TEMPLATE(BM_Decode, Protobuf)->Name("Decode/Protobuf/users")->Arg(1)->Arg(1000);
BENCHMARK_TEMPLATE(BM_Decode, Json)->Name("Decode/Json/users")->Arg(1)->Arg(1000);

}  // namespace
}  // namespace course::bench
