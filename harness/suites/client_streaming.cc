// Client streaming: CreateUsers (C1-C8).
#include <chrono>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "core/calls.h"
#include "core/describe.h"

namespace course::harness {
namespace {

// Sends [valid, valid, bad] where `bad` breaks C1 at position 2, and checks
// the field named, then that nothing was stored (C4).
void RejectsAtPosition(CheckContext& ctx, v1::CreateUserRequest bad, const std::string& field,
                       const std::string& hint) {
  std::vector<v1::CreateUserRequest> requests = {FreshUser(ctx), FreshUser(ctx), bad};
  CreateResult result = CreateUsers(ctx, requests);
  ctx.ExpectCode(result.status, grpc::StatusCode::INVALID_ARGUMENT,
                 "CreateUsers with an invalid third request", hint);
  const std::string want = absl::StrCat("users[2].", field);
  ctx.Expect(ViolatedFields(result.status) == want,
             absl::StrCat("the BadRequest names [", ViolatedFields(result.status), "]"),
             absl::StrCat("one violation for field \"", want, "\""),
             "i is the request's 0-based position in the stream");
}

v1::CreateUserRequest WithEmail(CheckContext& ctx, const std::string& email) {
  v1::CreateUserRequest request = FreshUser(ctx);
  request.set_email(email);
  return request;
}

v1::CreateUserRequest WithName(CheckContext& ctx, const std::string& name) {
  v1::CreateUserRequest request = FreshUser(ctx);
  request.set_name(name);
  return request;
}

// An email of exactly `bytes` bytes that is otherwise valid and unique.
std::string EmailOfLength(CheckContext& ctx, std::size_t bytes) {
  std::string email = ctx.UniqueEmail("long");
  const std::size_t at = email.find('@');
  email.insert(at, std::string(bytes - email.size(), 'x'));
  return email;
}

// Fails unless CreateUsers of `requests` succeeds with one id each.
void ExpectCreated(CheckContext& ctx, const std::vector<v1::CreateUserRequest>& requests,
                   const std::string& what, const std::string& hint) {
  CreateResult result = CreateUsers(ctx, requests);
  ctx.ExpectCode(result.status, grpc::StatusCode::OK, what, hint);
  ctx.Expect(result.ids.size() == requests.size(),
             absl::StrCat(result.ids.size(), " ids for ", requests.size(), " requests"),
             "one id per request");
}

struct EmailCase {
  const char* slug;
  const char* title;
  std::string (*make)(CheckContext&);
  const char* hint;
};

void ReturnsIncreasingIds(CheckContext& ctx) {
  std::vector<v1::CreateUserRequest> requests;
  for (int i = 0; i < 5; ++i) requests.push_back(FreshUser(ctx));
  CreateResult result = CreateUsers(ctx, requests);
  ctx.ExpectCode(result.status, grpc::StatusCode::OK, "CreateUsers of 5 users");
  ctx.Expect(result.ids.size() == 5, absl::StrCat(result.ids.size(), " ids"),
             "5 ids, one per request", "append an id for every request, in stream order");
  for (std::size_t i = 1; i < result.ids.size(); ++i) {
    ctx.Expect(result.ids[i] > result.ids[i - 1],
               absl::StrCat("ids[", i, "] = ", result.ids[i], " after ", result.ids[i - 1]),
               "strictly increasing ids");
  }
}

void RejectsDuplicateEmailInOneStream(CheckContext& ctx) {
  v1::CreateUserRequest first = FreshUser(ctx);
  v1::CreateUserRequest again = FreshUser(ctx);
  std::string upper = first.email();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  again.set_email(upper);
  CreateResult result = CreateUsers(ctx, {first, again});
  ctx.ExpectCode(result.status, grpc::StatusCode::ALREADY_EXISTS,
                 "CreateUsers with the same email twice",
                 "remember the emails of the stream so far, case-folded");
  ctx.Expect(
      result.status.error_message().find(upper) != std::string::npos,
      absl::StrCat("the message \"", result.status.error_message(), "\" does not name ", upper),
      "a message that names the email");
}

void RejectsEmailAlreadyStored(CheckContext& ctx) {
  std::vector<v1::User> stored = MakeUsers(ctx, 1);
  v1::CreateUserRequest again = FreshUser(ctx);
  std::string email = stored[0].email();
  email[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(email[0])));
  again.set_email(email);
  CreateResult result = CreateUsers(ctx, {again});
  ctx.ExpectCode(result.status, grpc::StatusCode::ALREADY_EXISTS,
                 "CreateUsers with an email that is taken",
                 "compare emails with ASCII letters folded to one case");
}

void FailedBatchStoresNothing(CheckContext& ctx) {
  std::vector<v1::CreateUserRequest> good = {FreshUser(ctx), FreshUser(ctx)};
  std::vector<v1::CreateUserRequest> batch = good;
  batch.push_back(WithName(ctx, ""));
  CreateResult failed = CreateUsers(ctx, batch);
  ctx.ExpectCode(failed.status, grpc::StatusCode::INVALID_ARGUMENT,
                 "CreateUsers whose last request is invalid");
  ExpectCreated(ctx, good, "creating the valid users of the failed batch again",
                "the failed batch left its first users stored: keep the "
                "batch aside and store it only when the stream ends well");
}

// Writes two valid requests, waits `pause`, cancels; then the same users
// must still be free to create.
void CancelAfterTwoRequests(CheckContext& ctx, std::chrono::milliseconds pause) {
  std::vector<v1::CreateUserRequest> good = {FreshUser(ctx), FreshUser(ctx)};
  {
    auto call = ctx.NewCall(std::chrono::milliseconds(0), true);
    v1::CreateUsersResponse response;
    auto writer = ctx.users().CreateUsers(call.get(), &response);
    for (const auto& request : good) writer->Write(request);
    std::this_thread::sleep_for(pause);
    ctx.Sent(absl::StrCat("CreateUsers <- 2 valid requests, then after ", pause.count(),
                          " ms the client cancels"));
    call->TryCancel();
    grpc::Status status = writer->Finish();
    ctx.Received(absl::StrCat("CreateUsers -> ", DescribeStatus(status)));
  }
  ExpectCreated(ctx, good, "creating the users of the cancelled batch again",
                "a cancelled call ends your reads too: only store the batch "
                "after a real half-close, not when reading stops");
}

void CancelledBatchStoresNothing(CheckContext& ctx) {
  // A client stream shows no sign of the server having read the requests,
  // so the cancel waits for them to arrive, and a second call waits longer
  // in case a busy machine kept the first pause too short. The pauses only
  // make a faulty server easier to catch: a correct one passes whenever the
  // cancel lands.
  for (auto pause : {std::chrono::milliseconds(300), std::chrono::milliseconds(1500)}) {
    CancelAfterTwoRequests(ctx, pause);
  }
}

void Over10000RequestsIsResourceExhausted(CheckContext& ctx) {
  std::vector<v1::CreateUserRequest> requests;
  for (int i = 0; i < 10001; ++i) requests.push_back(FreshUser(ctx));
  CreateResult result = CreateUsers(ctx, requests);
  ctx.ExpectCode(result.status, grpc::StatusCode::RESOURCE_EXHAUSTED,
                 "CreateUsers with 10,001 requests", "count requests and stop at 10,000");
  ExpectCreated(ctx, {requests.front(), requests.back()},
                "creating two users of the refused batch again",
                "the refused batch must store nothing");
}

void JudgesValidityBeforeDuplicates(CheckContext& ctx) {
  std::vector<v1::User> stored = MakeUsers(ctx, 1);
  v1::CreateUserRequest both = WithEmail(ctx, stored[0].email());
  both.set_name("");
  CreateResult result = CreateUsers(ctx, {FreshUser(ctx), both});
  ctx.ExpectCode(result.status, grpc::StatusCode::INVALID_ARGUMENT,
                 "a request with an empty name and a taken email",
                 "check C1 (the fields) before C3 (uniqueness)");
  ctx.Expect(ViolatedFields(result.status) == "users[1].name",
             absl::StrCat("the BadRequest names [", ViolatedFields(result.status), "]"),
             "users[1].name");
}

void AddIdChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"create.returns-increasing-ids", "C5",
                    "CreateUsers returns one id per request, increasing along the stream",
                    ReturnsIncreasingIds});
  checks.push_back({"create.ids-exceed-earlier-ids", "C5",
                    "Every id of a batch is greater than any id handed out before",
                    [](CheckContext& ctx) {
                      std::vector<v1::User> first = MakeUsers(ctx, 2);
                      std::vector<v1::User> second = MakeUsers(ctx, 2);
                      ctx.Expect(second.front().id() > first.back().id(),
                                 absl::StrCat("a later batch got id ", second.front().id(),
                                              " after ", first.back().id()),
                                 "ids that keep growing across calls",
                                 "take ids from one counter that never goes back");
                    }});
  checks.push_back({"create.empty-stream-is-ok", "C6",
                    "CreateUsers with no requests is OK with no ids", [](CheckContext& ctx) {
                      CreateResult result = CreateUsers(ctx, {});
                      ctx.ExpectCode(result.status, grpc::StatusCode::OK,
                                     "CreateUsers with an empty stream",
                                     "an empty batch is valid: commit nothing, return OK");
                      ctx.Expect(result.ids.empty(), "ids were returned", "no ids");
                    }});
}

// The malformed emails of C2, one check each.
const EmailCase kBadEmails[] = {
    {"rejects-email-with-space", "An email with a space is rejected",
     [](CheckContext& c) { return "a b" + c.UniqueEmail(); },
     "no ASCII whitespace anywhere in the email"},
    {"rejects-email-with-tab", "An email with a tab is rejected",
     [](CheckContext& c) { return "tab\t" + c.UniqueEmail(); }, "tabs are ASCII whitespace too"},
    {"rejects-email-without-at", "An email without '@' is rejected",
     [](CheckContext& c) {
       std::string e = c.UniqueEmail();
       e[e.find('@')] = '_';
       return e;
     },
     "exactly one '@'"},
    {"rejects-email-with-two-ats", "An email with two '@' is rejected",
     [](CheckContext& c) { return "a@" + c.UniqueEmail(); }, "exactly one '@'"},
    {"rejects-email-with-empty-local-part", "An email starting with '@' is rejected",
     [](CheckContext&) { return std::string("@conform.example"); },
     "the part before '@' must not be empty"},
    {"rejects-email-domain-without-dot", "An email whose domain has no '.' is rejected",
     [](CheckContext& c) {
       std::string e = c.UniqueEmail();
       return e.substr(0, e.find('@')) + "@localhost";
     },
     "the domain needs a '.'"},
    {"rejects-email-domain-starting-with-dot", "A domain starting with '.' is rejected",
     [](CheckContext& c) {
       std::string e = c.UniqueEmail();
       return e.substr(0, e.find('@')) + "@.conform.example";
     },
     "the domain must not start with '.'"},
    {"rejects-email-domain-ending-with-dot", "A domain ending with '.' is rejected",
     [](CheckContext& c) { return c.UniqueEmail() + "."; }, "the domain must not end with '.'"},
    {"rejects-email-over-254-bytes", "An email of 255 bytes is rejected",
     [](CheckContext& c) { return EmailOfLength(c, 255); }, "the limit is 254 bytes"},
};

void AddFieldChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"create.rejects-empty-name", "C2",
                    "An empty name is INVALID_ARGUMENT naming users[i].name",
                    [](CheckContext& ctx) {
                      RejectsAtPosition(ctx, WithName(ctx, ""), "name", "a name must not be empty");
                    }});
  checks.push_back({"create.rejects-name-over-100-bytes", "C2",
                    "A name of 101 bytes is INVALID_ARGUMENT naming users[i].name",
                    [](CheckContext& ctx) {
                      RejectsAtPosition(ctx, WithName(ctx, std::string(101, 'n')), "name",
                                        "the limit is 100 bytes");
                    }});
  checks.push_back({"create.accepts-name-of-100-bytes", "C1",
                    "A name of exactly 100 bytes of UTF-8 is accepted", [](CheckContext& ctx) {
                      // 50 two-byte characters: 50 characters, 100 bytes.
                      std::string name;
                      for (int i = 0; i < 50; ++i) name += "é";
                      ExpectCreated(ctx, {WithName(ctx, name)}, "CreateUsers with a 100-byte name",
                                    "count bytes, not characters, and allow exactly 100");
                    }});
  checks.push_back({"create.rejects-name-of-102-bytes-in-51-characters", "C1",
                    "A name of 51 two-byte characters (102 bytes) is INVALID_ARGUMENT naming "
                    "users[i].name",
                    [](CheckContext& ctx) {
                      // Well under 100 characters, yet over 100 bytes.
                      std::string name;
                      for (int i = 0; i < 51; ++i) name += "é";
                      RejectsAtPosition(ctx, WithName(ctx, name), "name",
                                        "the limit is 100 bytes of UTF-8, not 100 characters: "
                                        "51 two-byte characters are 102 bytes");
                    }});
  for (const EmailCase& bad : kBadEmails) {
    checks.push_back({absl::StrCat("create.", bad.slug), "C2",
                      absl::StrCat(bad.title, " with INVALID_ARGUMENT naming users[i].email"),
                      [bad](CheckContext& ctx) {
                        RejectsAtPosition(ctx, WithEmail(ctx, bad.make(ctx)), "email", bad.hint);
                      }});
  }
  checks.push_back({"create.accepts-email-of-254-bytes", "C1",
                    "An otherwise valid email of exactly 254 bytes is accepted",
                    [](CheckContext& ctx) {
                      ExpectCreated(ctx, {WithEmail(ctx, EmailOfLength(ctx, 254))},
                                    "CreateUsers with a 254-byte email", "allow exactly 254 bytes");
                    }});
}

void AddBatchChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"create.rejects-duplicate-email-in-one-stream", "C3",
                    "An email repeated in one stream, in another letter case, is ALREADY_EXISTS",
                    RejectsDuplicateEmailInOneStream});
  checks.push_back({"create.rejects-email-already-stored", "C3",
                    "An email a stored user has, in another letter case, is ALREADY_EXISTS",
                    RejectsEmailAlreadyStored});
  checks.push_back({"create.failed-batch-stores-nothing", "C4",
                    "A batch that ends in an error stores none of its users",
                    FailedBatchStoresNothing});
  checks.push_back({"create.cancelled-batch-stores-nothing", "C4",
                    "A batch the client cancels before half-closing stores nothing",
                    CancelledBatchStoresNothing});
  checks.push_back({"create.over-10000-requests-is-resource-exhausted", "C7",
                    "More than 10,000 requests in one call is RESOURCE_EXHAUSTED, nothing stored",
                    Over10000RequestsIsResourceExhausted});
  checks.push_back(
      {"create.judges-validity-before-duplicates", "C8",
       "A request that is both invalid and a duplicate is INVALID_ARGUMENT (C1 before C3)",
       JudgesValidityBeforeDuplicates});
  checks.push_back(
      {"create.stops-at-the-first-bad-request", "C8",
       "The call ends at the first request that breaks a rule", [](CheckContext& ctx) {
         std::vector<v1::User> stored = MakeUsers(ctx, 1);
         // A duplicate first, an invalid request after it: the duplicate wins.
         CreateResult result = CreateUsers(
             ctx, {FreshUser(ctx), WithEmail(ctx, stored[0].email()), WithName(ctx, "")});
         ctx.ExpectCode(result.status, grpc::StatusCode::ALREADY_EXISTS,
                        "a taken email at position 1, an empty name at position 2",
                        "judge requests in stream order and stop at the first failure");
       }});
}

}  // namespace

void AddClientStreamingChecks(std::vector<CheckDef>& checks) {
  AddIdChecks(checks);     // C5, C6
  AddFieldChecks(checks);  // C1, C2
  AddBatchChecks(checks);  // C3, C4, C7, C8
}

}  // namespace course::harness
