// The model-based property (model/model.h) against the reference server, and
// against a server with one deliberate bug, to prove the property can fail
// and that its report reads as a sequence of calls.
#include "tests/model/model.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "core/target.h"

namespace course::harness {
namespace {

// ---- A server with one bug --------------------------------------------------
//
// The mutant server with fault C4: a CreateUsers call that fails keeps the
// valid requests before the failing one, where C4 says a failed call stores
// nothing. A child process over loopback, started afresh for each use.

std::unique_ptr<Target> LeakyServer() {
  auto target = MakeProcessTarget(std::string("'") + COURSE_MUTANT_SERVER + "' --quiet --break C4",
                                  "", std::chrono::seconds(10));
  if (!target.ok()) {
    ADD_FAILURE() << "cannot start the C4 mutant: " << target.status().message();
    return nullptr;
  }
  return std::move(*target);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// ---- The tests ----------------------------------------------------------------

TEST(ModelOracle, JudgesEachRequestNameThenEmailThenDuplicate) {
  Model model;
  model.users.push_back({1, "Ann", {1, EmailShape::kValid, 0}});
  // An empty name with a taken email: C1 comes before C3 (C8).
  CreateExpectation e =
      ExpectCreate(model, {{RequestKind::kBadNameDuplicate, "", {1, EmailShape::kValid, 7}}}, "t");
  EXPECT_EQ(e.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(e.field, "users[0].name");
  // A duplicate within the stream, in another case, ends the call at itself.
  e = ExpectCreate(model,
                   {{RequestKind::kFresh, "B", {2, EmailShape::kValid, 0}},
                    {RequestKind::kDuplicateInBatch, "C", {2, EmailShape::kValid, 9}},
                    {RequestKind::kBadEmail, "D", {3, EmailShape::kNoAt, 0}}},
                   "t");
  EXPECT_EQ(e.code, grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(e.index, 1);
  EXPECT_EQ(e.email, RenderEmail({2, EmailShape::kValid, 9}, "t"));
  // Every broken shape is invalid and the longest valid one is 254 bytes.
  for (int shape = 1; shape < kEmailShapes; ++shape) {
    EXPECT_FALSE(EmailFollowsC1(RenderEmail({5, static_cast<EmailShape>(shape), 0}, "t"))) << shape;
  }
  EXPECT_EQ(RenderEmail({4, EmailShape::kValid, 0}, "t").size(), 254u);
  EXPECT_TRUE(EmailFollowsC1(RenderEmail({4, EmailShape::kValid, 3}, "t")));
}

TEST(ModelProperty, ReferenceAgreesWithTheModel) {
  // Five users the model knows nothing about: it must never assume an empty
  // store. A token, so CreateUsers goes through M2 each time.
  auto target = MakeInProcessReference("model-token", 5);
  ASSERT_TRUE(target.ok()) << target.status().message();
  ModelOptions options;  // 100 sequences, a seed from the clock
  const auto start = std::chrono::steady_clock::now();
  const ModelRunResult result = RunModelProperty(**target, options);
  std::cout << result.report << "took " << SecondsSince(start) << " s\n";
  ASSERT_TRUE(result.ok) << result.report;

  const char* env = std::getenv("RC_PARAMS");
  if (env != nullptr && *env != '\0') return;  // a replay runs one case
  EXPECT_EQ(result.sequences_passed, options.sequences);
  // Every kind of outcome the model predicts was exercised.
  for (const char* outcome : {"CreateUsers OK", "CreateUsers INVALID_ARGUMENT",
                              "CreateUsers ALREADY_EXISTS", "CreateUsers cancelled", "GetUser OK",
                              "GetUser INVALID_ARGUMENT", "GetUser NOT_FOUND", "ListUsers OK"}) {
    EXPECT_GT(result.tally.count(outcome) ? result.tally.at(outcome) : 0, 0) << outcome;
  }
}

TEST(ModelProperty, CatchesAServerThatKeepsPartOfAFailedBatch) {
  ModelOptions options;
  options.seed = 20240601;           // fixed: the same counterexample every time
  options.honour_rc_params = false;  // RC_PARAMS is for the test above
  ModelRunResult result;
  {
    std::unique_ptr<Target> target = LeakyServer();
    ASSERT_NE(target, nullptr);
    const auto start = std::chrono::steady_clock::now();
    result = RunModelProperty(*target, options);
    std::cout << result.report << "took " << SecondsSince(start) << " s\n";
    ASSERT_FALSE(result.ok) << "the property passed on " << target->Describe();
  }
  EXPECT_NE(result.report.find("1. CreateUsers["), std::string::npos) << result.report;
  EXPECT_NE(result.report.find("(C4)"), std::string::npos) << result.report;
  EXPECT_NE(result.report.find("RC_PARAMS=\"seed=20240601"), std::string::npos);
  ASSERT_FALSE(result.rc_params.empty());

  // The replay line of the report reproduces the same shrunk sequence on a
  // fresh server.
  ModelOptions replay = options;
  replay.rc_params = result.rc_params;
  std::unique_ptr<Target> fresh = LeakyServer();
  ASSERT_NE(fresh, nullptr);
  const ModelRunResult again = RunModelProperty(*fresh, replay);
  EXPECT_FALSE(again.ok);
  const auto calls = [](const std::string& report) {
    return report.substr(0, report.find("\nThe last call:"));
  };
  EXPECT_EQ(calls(again.report).substr(calls(again.report).find("1. ")),
            calls(result.report).substr(calls(result.report).find("1. ")));
}

}  // namespace
}  // namespace course::harness
