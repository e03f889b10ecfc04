// Many CreateBatches committing at once into one store (C3-C5): every batch
// is stored whole or not at all, and a contested email is won exactly once.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "domain/user_store.h"
#include "domain/validation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/domain_test_support.h"
#include "tests/status_matchers.h"

namespace course::domain {
namespace {

using ::course::testing::HasCode;

constexpr int kThreads = 8;
constexpr int kBatchesPerThread = 60;
constexpr int kUsersPerBatch = 4;
constexpr int kSeededUsers = 10;
// Every third batch of every thread carries the same email as the batch of
// the same number in all other threads (in a different letter case), so
// exactly one of the eight can win it.
constexpr int kCollideEvery = 3;

// One batch a thread tried, and how it ended.
struct Attempt {
  std::vector<NewUser> users;
  std::optional<std::string> shared_email;  // the deliberate collision, if any
  absl::Status status;                      // of the Add that failed, or Commit
  std::vector<std::int32_t> ids;            // on success
};

// The users of batch b of thread t, with the contested email in the middle
// (so that some requests were accepted before it fails) when b calls for one.
Attempt PlanBatch(int t, int b) {
  Attempt attempt;
  for (int u = 0; u < kUsersPerBatch; ++u) {
    attempt.users.push_back({absl::StrCat("T", t, " B", b, " U", u),
                             absl::StrCat("t", t, ".b", b, ".u", u, "@x.example")});
  }
  if (b % kCollideEvery == 0) {
    const std::string shared = absl::StrCat(t % 2 == 0 ? "shared" : "SHARED", b, "@x.example");
    attempt.shared_email = shared;
    attempt.users.insert(attempt.users.begin() + kUsersPerBatch / 2,
                         {absl::StrCat("T", t, " shared ", b), shared});
  }
  return attempt;
}

// Adds the attempt's users to a fresh batch and commits it if all were
// accepted, recording how it ended.
void RunBatch(UserStore& store, Attempt& attempt) {
  CreateBatch batch(store);
  for (const NewUser& user : attempt.users) {
    attempt.status = batch.Add(user);
    if (!attempt.status.ok()) return;
  }
  auto ids = batch.Commit();
  attempt.status = ids.status();
  if (ids.ok()) attempt.ids = *std::move(ids);
}

// Every thread's attempts, all threads started together.
std::vector<std::vector<Attempt>> RunAllThreads(UserStore& store) {
  std::vector<std::vector<Attempt>> attempts(kThreads);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int b = 0; b < kBatchesPerThread; ++b) {
        Attempt attempt = PlanBatch(t, b);
        RunBatch(store, attempt);
        attempts[t].push_back(std::move(attempt));
      }
    });
  }
  go.store(true);
  for (std::thread& thread : threads) thread.join();
  return attempts;
}

// A failed batch lost a collision, with ALREADY_EXISTS, and left none of its
// own users behind.
void ExpectFailedCleanly(const InMemoryUserStore& store, const Attempt& attempt) {
  EXPECT_TRUE(attempt.shared_email.has_value()) << attempt.status;
  EXPECT_THAT(attempt.status, HasCode(absl::StatusCode::kAlreadyExists));
  for (const NewUser& user : attempt.users) {
    if (user.email == attempt.shared_email) continue;
    EXPECT_FALSE(store.EmailTaken(user.email)) << user.email << " of a failed batch was stored";
  }
}

// A successful batch got fresh increasing ids, each naming its user as sent;
// adds them to `expected`.
void ExpectStoredWhole(const InMemoryUserStore& store, const Attempt& attempt,
                       std::map<std::int32_t, User>& expected) {
  ASSERT_EQ(attempt.ids.size(), attempt.users.size());
  EXPECT_TRUE(StrictlyIncreasing(attempt.ids));
  for (std::size_t i = 0; i < attempt.ids.size(); ++i) {
    const User user{attempt.ids[i], attempt.users[i].name, attempt.users[i].email};
    EXPECT_TRUE(expected.emplace(user.id, user).second)
        << "id " << user.id << " was handed out twice";
    EXPECT_EQ(store.Get(user.id).value_or(User{}), user);
  }
}

TEST(CreateBatchConcurrencyTest, ConcurrentBatchesStoreExactlyTheUsersOfTheBatchesThatSucceeded) {
  InMemoryUserStore store;
  store.Seed(kSeededUsers);
  const std::vector<std::vector<Attempt>> attempts = RunAllThreads(store);

  std::map<std::int32_t, User> expected;  // everything that should be stored
  for (std::int32_t id = 1; id <= kSeededUsers; ++id) {
    expected[id] = store.Get(id).value_or(User{});
  }
  std::map<std::string, int> winners;  // shared email, folded -> wins
  std::size_t failed = 0;
  for (const std::vector<Attempt>& of_thread : attempts) {
    for (const Attempt& attempt : of_thread) {
      if (!attempt.status.ok()) {
        ++failed;
        ExpectFailedCleanly(store, attempt);
        continue;
      }
      if (attempt.shared_email) ++winners[FoldEmail(*attempt.shared_email)];
      ExpectStoredWhole(store, attempt, expected);
    }
  }

  const int shared_keys = (kBatchesPerThread + kCollideEvery - 1) / kCollideEvery;
  EXPECT_EQ(winners.size(), static_cast<std::size_t>(shared_keys));
  for (const auto& [email, wins] : winners) {
    EXPECT_EQ(wins, 1) << email << " was won " << wins << " times";
  }
  EXPECT_EQ(failed, static_cast<std::size_t>(shared_keys * (kThreads - 1)));

  // The store holds exactly the seed and the successful batches.
  EXPECT_EQ(store.size(), expected.size());
  std::map<std::int32_t, User> stored;
  for (auto user = store.FirstAfter(0); user; user = store.FirstAfter(user->id)) {
    stored[user->id] = *user;
  }
  EXPECT_EQ(stored, expected);
}

}  // namespace
}  // namespace course::domain
