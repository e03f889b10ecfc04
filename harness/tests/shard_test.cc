// Sharding a class (course/shard.h): every submission is graded by exactly
// one shard, whatever order each grader lists the folder in.
#include "course/shard.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace course::lessons {
namespace {

// Distinct names, as a folder lists them, in some order.
std::vector<std::string> DistinctNames() {
  const auto names =
      *rc::gen::container<std::set<std::string>>(rc::gen::nonEmpty(rc::gen::string<std::string>()));
  return {names.begin(), names.end()};
}

RC_GTEST_PROP(Shard, EverySubmissionIsInExactlyOneShardWhateverTheOrder, ()) {
  const std::vector<std::string> names = DistinctNames();
  const int count = *rc::gen::inRange(1, 40);
  std::vector<std::string> shuffled = names;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(*rc::gen::arbitrary<unsigned>()));

  std::multiset<std::string> graded;
  for (int index = 0; index < count; ++index) {
    const std::vector<std::string> one = ShardMembers(names, {index, count});
    const std::vector<std::string> other = ShardMembers(shuffled, {index, count});
    // The same members, listed in either order.
    RC_ASSERT(std::set<std::string>(one.begin(), one.end()) ==
              std::set<std::string>(other.begin(), other.end()));
    graded.insert(one.begin(), one.end());
  }
  RC_ASSERT(graded == std::multiset<std::string>(names.begin(), names.end()));
}

RC_GTEST_PROP(Shard, AShardDependsOnTheNameAloneNotOnTheOthers, ()) {
  const std::vector<std::string> names = DistinctNames();
  const std::string name = *rc::gen::nonEmpty(rc::gen::string<std::string>());
  const int count = *rc::gen::inRange(1, 40);
  std::vector<std::string> with = names;
  with.push_back(name);
  // Adding submissions to the folder moves no other submission.
  for (int index = 0; index < count; ++index) {
    std::vector<std::string> before = ShardMembers(names, {index, count});
    std::vector<std::string> after = ShardMembers(with, {index, count});
    after.erase(std::remove(after.begin(), after.end(), name), after.end());
    before.erase(std::remove(before.begin(), before.end(), name), before.end());
    RC_ASSERT(before == after);
  }
}

TEST(Shard, TheHashIsFixedSoGradersOnOtherMachinesAgree) {
  // FNV-1a of the bytes: a change here splits a class differently between
  // graders of two versions, which `gradebook merge` would report.
  EXPECT_EQ(ShardOf("alice", 1000), 183);  // as Python computes it in gradebook_test.py
  EXPECT_EQ(ShardOf("bob.tar.gz", 1000), 96);
  EXPECT_EQ(ShardOf("anything", 1), 0);
}

TEST(Shard, ParsesIOfNAndRejectsTheRest) {
  absl::StatusOr<Shard> shard = ParseShard("3/8");
  ASSERT_TRUE(shard.ok());
  EXPECT_EQ(shard->index, 3);
  EXPECT_EQ(shard->count, 8);
  for (const char* bad : {"8/8", "-1/4", "1/0", "1", "a/b", "1/2/3", "", "/4", "2/", " 1/4"}) {
    EXPECT_EQ(ParseShard(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace course::lessons
