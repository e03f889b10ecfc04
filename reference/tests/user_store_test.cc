// The user store (G1-G3, L2, C3-C5) and CreateBatch, the domain half of
// CreateUsers (C1-C8), without gRPC, one thread at a time. Concurrent batches
// are in user_store_concurrency_test.cc.
#include "domain/user_store.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "domain/validation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/domain_test_support.h"
#include "tests/status_matchers.h"

namespace course::domain {
namespace {

using ::course::testing::HasCode;
using ::course::testing::IsOk;
using ::testing::_;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::Return;
using ::testing::StrictMock;

std::vector<std::int32_t> IdsOf(const absl::StatusOr<std::vector<std::int32_t>>& result) {
  return result.ok() ? *result : std::vector<std::int32_t>{};
}

// ---- InMemoryUserStore ----

TEST(InMemoryUserStoreTest, GetRejectsIdZeroAsAnInvalidIdField) {
  InMemoryUserStore store;
  store.Seed(3);
  const absl::StatusOr<User> user = store.Get(0);
  EXPECT_THAT(user.status(), HasCode(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldOf(user.status()), Optional(std::string("id")));
}

TEST(InMemoryUserStoreTest, GetRejectsANegativeIdAsAnInvalidIdField) {
  InMemoryUserStore store;
  const absl::StatusOr<User> user = store.Get(-7);
  EXPECT_THAT(user.status(), HasCode(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldOf(user.status()), Optional(std::string("id")));
}

TEST(InMemoryUserStoreTest, GetOfAMissingIdIsNotFoundAndNamesTheId) {
  InMemoryUserStore store;
  store.Seed(3);
  const absl::StatusOr<User> user = store.Get(12345);
  EXPECT_THAT(user.status(), HasCode(absl::StatusCode::kNotFound));
  EXPECT_THAT(std::string(user.status().message()), HasSubstr("12345"));
}

TEST(InMemoryUserStoreTest, GetReturnsTheUserExactlyAsInserted) {
  InMemoryUserStore store;
  const auto ids = store.InsertAll({{"  Ada Lovelace ", "Ada@Example.COM"}});
  ASSERT_THAT(ids.status(), IsOk());
  const absl::StatusOr<User> user = store.Get(ids->at(0));
  ASSERT_THAT(user.status(), IsOk());
  EXPECT_EQ(*user, (User{ids->at(0), "  Ada Lovelace ", "Ada@Example.COM"}));
}

TEST(InMemoryUserStoreTest, FirstAfterWalksTheUsersInAscendingIdOrder) {
  InMemoryUserStore store;
  store.Seed(5);
  std::vector<std::int32_t> walked;
  for (auto user = store.FirstAfter(0); user; user = store.FirstAfter(user->id)) {
    walked.push_back(user->id);
  }
  EXPECT_THAT(walked, ElementsAre(1, 2, 3, 4, 5));
}

TEST(InMemoryUserStoreTest, FirstAfterANegativeIdStartsFromTheFirstUser) {
  InMemoryUserStore store;
  store.Seed(2);
  EXPECT_THAT(store.FirstAfter(-100), Optional(Field(&User::id, 1)));
}

TEST(InMemoryUserStoreTest, FirstAfterTheLastIdIsEmpty) {
  InMemoryUserStore store;
  store.Seed(2);
  EXPECT_EQ(store.FirstAfter(2), std::nullopt);
}

TEST(InMemoryUserStoreTest, FirstAfterIsEmptyOnAnEmptyStore) {
  InMemoryUserStore store;
  EXPECT_EQ(store.FirstAfter(0), std::nullopt);
}

TEST(InMemoryUserStoreTest, EmailTakenComparesWithAsciiCaseFolded) {
  InMemoryUserStore store;
  ASSERT_THAT(store.InsertAll({{"Ada", "Ada@Example.com"}}).status(), IsOk());
  EXPECT_TRUE(store.EmailTaken("ada@example.com"));
  EXPECT_TRUE(store.EmailTaken("ADA@EXAMPLE.COM"));
  EXPECT_FALSE(store.EmailTaken("ada@example.org"));
}

TEST(InMemoryUserStoreTest, InsertAllGivesIncreasingIdsAboveEveryEarlierId) {
  InMemoryUserStore store;
  store.Seed(5);
  const auto first =
      store.InsertAll({{"A", "a@x.example"}, {"B", "b@x.example"}, {"C", "c@x.example"}});
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_EQ(first->size(), 3u);
  EXPECT_TRUE(StrictlyIncreasing(*first));
  EXPECT_GT(first->front(), 5);

  const auto second = store.InsertAll({{"D", "d@x.example"}, {"E", "e@x.example"}});
  ASSERT_THAT(second.status(), IsOk());
  ASSERT_EQ(second->size(), 2u);
  EXPECT_TRUE(StrictlyIncreasing(*second));
  EXPECT_GT(second->front(), first->back());
}

TEST(InMemoryUserStoreTest, InsertAllStoresNothingWhenOneEmailIsTaken) {
  InMemoryUserStore store;
  ASSERT_THAT(store.InsertAll({{"Old", "taken@x.example"}}).status(), IsOk());

  const auto result = store.InsertAll(
      {{"New 1", "new1@x.example"}, {"Clash", "TAKEN@x.example"}, {"New 2", "new2@x.example"}});
  EXPECT_THAT(result.status(), HasCode(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("TAKEN@x.example"));
  EXPECT_EQ(store.size(), 1u);
  EXPECT_FALSE(store.EmailTaken("new1@x.example"));
  EXPECT_FALSE(store.EmailTaken("new2@x.example"));
}

TEST(InMemoryUserStoreTest, SeedAddsPredictableUsers) {
  InMemoryUserStore store;
  store.Seed(3);
  EXPECT_EQ(store.size(), 3u);
  const absl::StatusOr<User> first = store.Get(1);
  ASSERT_THAT(first.status(), IsOk());
  EXPECT_EQ(*first, (User{1, "Seed User 1", "user1@seed.example"}));
  EXPECT_TRUE(store.EmailTaken("user3@seed.example"));
}

TEST(InMemoryUserStoreTest, SeedOfZeroLeavesTheStoreEmpty) {
  InMemoryUserStore store;
  store.Seed(0);
  EXPECT_EQ(store.size(), 0u);
}

// ---- CreateBatch (C1-C8) ----

TEST(CreateBatchTest, NamesTheBadNameFieldWithItsStreamPosition) {
  InMemoryUserStore store;
  CreateBatch batch(store);
  ASSERT_THAT(batch.Add({"Ada", "ada@x.example"}), IsOk());
  const absl::Status status = batch.Add({"", "bob@x.example"});
  EXPECT_THAT(status, HasCode(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldOf(status), Optional(std::string("users[1].name")));
}

TEST(CreateBatchTest, NamesTheBadEmailFieldWithItsStreamPosition) {
  InMemoryUserStore store;
  CreateBatch batch(store);
  ASSERT_THAT(batch.Add({"Ada", "ada@x.example"}), IsOk());
  ASSERT_THAT(batch.Add({"Bob", "bob@x.example"}), IsOk());
  const absl::Status status = batch.Add({"Cy", "cy at x.example"});
  EXPECT_THAT(status, HasCode(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldOf(status), Optional(std::string("users[2].email")));
}

TEST(CreateBatchTest, TheFirstRequestIsUsersZero) {
  InMemoryUserStore store;
  CreateBatch batch(store);
  EXPECT_THAT(FieldOf(batch.Add({"Ada", "not-an-email"})), Optional(std::string("users[0].email")));
}

TEST(CreateBatchTest, RejectsAnEmailRepeatedInTheSameBatchCaseFolded) {
  InMemoryUserStore store;
  CreateBatch batch(store);
  ASSERT_THAT(batch.Add({"Ada", "ada@x.example"}), IsOk());
  const absl::Status status = batch.Add({"Ada again", "ADA@X.example"});
  EXPECT_THAT(status, HasCode(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(std::string(status.message()), HasSubstr("ADA@X.example"));
}

TEST(CreateBatchTest, RejectsAnEmailAlreadyInTheStoreCaseFolded) {
  InMemoryUserStore store;
  store.Seed(1);
  CreateBatch batch(store);
  const absl::Status status = batch.Add({"Copy", "User1@Seed.Example"});
  EXPECT_THAT(status, HasCode(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(std::string(status.message()), HasSubstr("User1@Seed.Example"));
}

TEST(CreateBatchTest, ReportsABadNameBeforeATakenEmail) {
  InMemoryUserStore store;
  store.Seed(1);
  CreateBatch batch(store);
  const absl::Status status = batch.Add({std::string(101, 'n'), "user1@seed.example"});
  EXPECT_THAT(status, HasCode(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldOf(status), Optional(std::string("users[0].name")));
}

TEST(CreateBatchTest, NothingReachesTheStoreBeforeCommit) {
  InMemoryUserStore store;
  CreateBatch batch(store);
  ASSERT_THAT(batch.Add({"Ada", "ada@x.example"}), IsOk());
  EXPECT_EQ(store.size(), 0u);
  EXPECT_FALSE(store.EmailTaken("ada@x.example"));
}

TEST(CreateBatchTest, CommitReturnsOneIncreasingIdPerRequestInStreamOrder) {
  InMemoryUserStore store;
  store.Seed(2);
  CreateBatch batch(store);
  ASSERT_THAT(batch.Add({"Ada", "ada@x.example"}), IsOk());
  ASSERT_THAT(batch.Add({"Bob", "bob@x.example"}), IsOk());
  const auto ids = batch.Commit();
  ASSERT_THAT(ids.status(), IsOk());
  ASSERT_EQ(ids->size(), 2u);
  EXPECT_TRUE(StrictlyIncreasing(*ids));
  EXPECT_GT(ids->front(), 2);
  EXPECT_EQ(store.Get(ids->at(0)).value_or(User{}), (User{ids->at(0), "Ada", "ada@x.example"}));
  EXPECT_EQ(store.Get(ids->at(1)).value_or(User{}), (User{ids->at(1), "Bob", "bob@x.example"}));
}

TEST(CreateBatchTest, AnEmptyBatchCommitsToNoIds) {
  InMemoryUserStore store;
  store.Seed(1);
  CreateBatch batch(store);
  const auto ids = batch.Commit();
  ASSERT_THAT(ids.status(), IsOk());
  EXPECT_TRUE(ids->empty());
  EXPECT_EQ(store.size(), 1u);
}

// Fills a batch with exactly CreateBatch::kMaxRequests valid requests.
void FillToTheLimit(CreateBatch& batch) {
  for (std::size_t i = 0; i < CreateBatch::kMaxRequests; ++i) {
    const absl::Status status =
        batch.Add({absl::StrCat("Bulk ", i), absl::StrCat("bulk", i, "@x.example")});
    ASSERT_THAT(status, IsOk()) << "request " << i;
  }
}

TEST(CreateBatchTest, Accepts10000RequestsAndCommitsThemAll) {
  InMemoryUserStore store;
  CreateBatch batch(store);
  FillToTheLimit(batch);
  const auto ids = batch.Commit();
  ASSERT_THAT(ids.status(), IsOk());
  EXPECT_EQ(ids->size(), 10000u);
  EXPECT_EQ(store.size(), 10000u);
}

TEST(CreateBatchTest, RejectsThe10001stRequestAsResourceExhausted) {
  InMemoryUserStore store;
  CreateBatch batch(store);
  FillToTheLimit(batch);
  EXPECT_THAT(batch.Add({"One too many", "extra@x.example"}),
              HasCode(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(batch.size(), 10000u);
  EXPECT_EQ(store.size(), 0u);
}

TEST(CreateBatchTest, JudgesABadNameBeforeTheCountLimit) {
  InMemoryUserStore store;
  CreateBatch batch(store);
  FillToTheLimit(batch);
  const absl::Status status = batch.Add({"", "extra@x.example"});
  EXPECT_THAT(status, HasCode(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldOf(status), Optional(std::string("users[10000].name")));
}

TEST(CreateBatchTest, JudgesATakenEmailBeforeTheCountLimit) {
  InMemoryUserStore store;
  CreateBatch batch(store);
  FillToTheLimit(batch);
  EXPECT_THAT(batch.Add({"Dup", "BULK0@x.example"}), HasCode(absl::StatusCode::kAlreadyExists));
}

// ---- CreateBatch against a stand-in store ----

class MockUserStore : public UserStore {
 public:
  MOCK_METHOD(absl::StatusOr<User>, Get, (std::int32_t id), (const, override));
  MOCK_METHOD(std::optional<User>, FirstAfter, (std::int32_t after_id), (const, override));
  MOCK_METHOD(bool, EmailTaken, (std::string_view email), (const, override));
  MOCK_METHOD((absl::StatusOr<std::vector<std::int32_t>>), InsertAll,
              (const std::vector<NewUser>& users), (override));
};

TEST(CreateBatchWithMockStoreTest, CommitFailsWhenAnotherBatchWonTheRace) {
  StrictMock<MockUserStore> store;
  // Free when checked, taken by the time of the insert.
  EXPECT_CALL(store, EmailTaken(_)).WillRepeatedly(Return(false));
  EXPECT_CALL(store, InsertAll(_))
      .WillOnce(Return(absl::AlreadyExistsError("email ada@x.example is already taken")));

  CreateBatch batch(store);
  ASSERT_THAT(batch.Add({"Ada", "ada@x.example"}), IsOk());
  const auto ids = batch.Commit();
  EXPECT_THAT(ids.status(), HasCode(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(std::string(ids.status().message()), HasSubstr("ada@x.example"));
}

TEST(CreateBatchWithMockStoreTest, AnInvalidRequestNeverTouchesTheStore) {
  StrictMock<MockUserStore> store;  // any call fails the test
  CreateBatch batch(store);
  EXPECT_THAT(batch.Add({"", "ada@x.example"}), HasCode(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(batch.Add({"Ada", "ada@@x.example"}), HasCode(absl::StatusCode::kInvalidArgument));
}

TEST(CreateBatchWithMockStoreTest, AnEmptyCommitNeverTouchesTheStore) {
  StrictMock<MockUserStore> store;
  CreateBatch batch(store);
  EXPECT_THAT(batch.Commit().status(), IsOk());
}

TEST(CreateBatchWithMockStoreTest, CommitHandsTheStoreEveryRequestInOrder) {
  StrictMock<MockUserStore> store;
  EXPECT_CALL(store, EmailTaken(_)).WillRepeatedly(Return(false));
  EXPECT_CALL(store,
              InsertAll(ElementsAre(
                  AllOf(Field(&NewUser::name, "Ada"), Field(&NewUser::email, "Ada@X.example")),
                  AllOf(Field(&NewUser::name, "Bob"), Field(&NewUser::email, "bob@x.example")))))
      .WillOnce(Return(std::vector<std::int32_t>{7, 8}));

  CreateBatch batch(store);
  ASSERT_THAT(batch.Add({"Ada", "Ada@X.example"}), IsOk());
  ASSERT_THAT(batch.Add({"Bob", "bob@x.example"}), IsOk());
  EXPECT_THAT(IdsOf(batch.Commit()), ElementsAre(7, 8));
}

}  // namespace
}  // namespace course::domain
