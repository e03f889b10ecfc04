// Server streaming: ListUsers (L1, L2, and the L3 rule that users are sent
// as they are produced).
#include <algorithm>
#include <climits>
#include <set>

#include "absl/strings/str_cat.h"
#include "core/calls.h"
#include "core/describe.h"

namespace course::harness {
namespace {

void RejectsListRequest(CheckContext& ctx, const v1::ListUsersRequest& request,
                        const std::string& field) {
  ListResult listed = ListUsers(ctx, request);
  ctx.ExpectCode(listed.status, grpc::StatusCode::INVALID_ARGUMENT,
                 absl::StrCat("ListUsers with a bad ", field),
                 "validate the request before streaming anything");
  ctx.Expect(listed.users.empty(),
             absl::StrCat("the server sent ", listed.users.size(), " users before the error"),
             "the error before any user (L1)");
  ctx.Expect(ViolatedFields(listed.status) == field,
             absl::StrCat("the BadRequest names [", ViolatedFields(listed.status), "]"),
             absl::StrCat("one violation for field \"", field, "\""));
}

// Fails unless `users` is strictly ascending by id, all above `after_id`.
void ExpectAscendingAfter(CheckContext& ctx, const std::vector<v1::User>& users,
                          std::int32_t after_id) {
  for (std::size_t i = 0; i < users.size(); ++i) {
    ctx.Expect(users[i].id() > after_id,
               absl::StrCat("user ", users[i].id(), " is not after after_id ", after_id),
               "only users whose id is greater than after_id", "compare with `>`, not `>=`");
    if (i > 0) {
      ctx.Expect(users[i].id() > users[i - 1].id(),
                 absl::StrCat("user ", users[i].id(), " came after user ", users[i - 1].id()),
                 "ascending ids, each user once",
                 "iterate an ordered map, or sort the page before sending");
    }
  }
}

void ListAcceptsIntervalOfTenSeconds(CheckContext& ctx) {
  std::vector<v1::User> mine = MakeUsers(ctx, 1);
  v1::ListUsersRequest request;
  request.set_interval_ms(10000);
  request.set_page_size(1);
  request.set_after_id(mine[0].id() - 1);
  ListResult listed = ListUsers(ctx, request);
  ctx.ExpectCode(listed.status, grpc::StatusCode::OK,
                 "ListUsers with interval_ms 10000 and page_size 1",
                 "the bound is interval_ms > 10000, not >= 10000");
  ctx.Expect(listed.users.size() == 1, "not exactly one user", "one user");
}

void ListStreamsUsersAfterIdInOrder(CheckContext& ctx) {
  std::vector<v1::User> mine = MakeUsers(ctx, 5);
  // after_id is one of our own users: it must not come back itself.
  v1::ListUsersRequest request;
  request.set_after_id(mine.front().id());
  ListResult listed = ListUsers(ctx, request);
  ctx.ExpectCode(listed.status, grpc::StatusCode::OK, "ListUsers");
  ExpectAscendingAfter(ctx, listed.users, request.after_id());
  std::set<std::int32_t> seen;
  for (const auto& user : listed.users) seen.insert(user.id());
  for (const auto& user : std::vector<v1::User>(mine.begin() + 1, mine.end())) {
    ctx.Expect(
        seen.count(user.id()) == 1, absl::StrCat("user ", user.id(), " (just created) is missing"),
        "every stored user with id > after_id", "page_size 0 means no limit, not an empty page");
  }
}

void ListStopsAtPageSize(CheckContext& ctx) {
  std::vector<v1::User> mine = MakeUsers(ctx, 5);
  v1::ListUsersRequest request;
  request.set_after_id(mine.front().id() - 1);
  request.set_page_size(3);
  ListResult listed = ListUsers(ctx, request);
  ctx.ExpectCode(listed.status, grpc::StatusCode::OK, "ListUsers page_size 3");
  ctx.Expect(listed.users.size() == 3, absl::StrCat("got ", listed.users.size(), " users"),
             "exactly 3 users", "count users sent and stop at page_size");
  ExpectAscendingAfter(ctx, listed.users, request.after_id());
  ctx.Expect(listed.users.front().id() == mine.front().id(),
             absl::StrCat("the first user is ", listed.users.front().id()),
             absl::StrCat("user ", mine.front().id(), ", the first after after_id"));
}

void ListSendsUsersAsProduced(CheckContext& ctx) {
  std::vector<v1::User> mine = MakeUsers(ctx, 4);
  v1::ListUsersRequest request;
  request.set_after_id(mine.front().id() - 1);
  request.set_page_size(4);
  request.set_interval_ms(500);
  ListResult listed = ListUsers(ctx, request, std::chrono::seconds(20));
  ctx.ExpectCode(listed.status, grpc::StatusCode::OK, "a slow ListUsers");
  ctx.Received(absl::StrCat("first user after ", listed.first_after.count(), " ms, all after ",
                            listed.total.count(), " ms"));
  // Three pauses of 500 ms: a server that buffers sends everything
  // at ~1500 ms; one that streams sends the first user at ~0 ms.
  ctx.Expect(listed.first_after.count() < 1000 &&
                 listed.total.count() - listed.first_after.count() >= 1000,
             absl::StrCat("the first user came after ", listed.first_after.count(), " ms of ",
                          listed.total.count(), " ms"),
             "the first user at once, the rest 500 ms apart",
             "write each user as it is produced instead of collecting the "
             "page first; pause before each user after the first, not before the first");
}

void ListPausesBetweenUsers(CheckContext& ctx) {
  std::vector<v1::User> mine = MakeUsers(ctx, 3);
  v1::ListUsersRequest request;
  request.set_after_id(mine.front().id() - 1);
  request.set_page_size(3);
  request.set_interval_ms(300);
  ListResult listed = ListUsers(ctx, request, std::chrono::seconds(20));
  ctx.ExpectCode(listed.status, grpc::StatusCode::OK, "ListUsers interval 300");
  ctx.Expect(listed.users.size() == 3, "not 3 users", "3 users");
  // Two pauses of 300 ms; allow some clock slack below 600.
  ctx.Expect(listed.total.count() >= 540,
             absl::StrCat("3 users took only ", listed.total.count(), " ms"),
             "at least two pauses of 300 ms (about 600 ms)",
             "interval_ms is milliseconds: sleep/alarm between writes");
}

}  // namespace

void AddServerStreamingChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"stream.list.rejects-negative-page-size", "L1",
                    "ListUsers rejects page_size < 0 before sending any user",
                    [](CheckContext& ctx) {
                      v1::ListUsersRequest request;
                      request.set_page_size(-1);
                      RejectsListRequest(ctx, request, "page_size");
                    }});
  checks.push_back({"stream.list.rejects-negative-interval", "L1",
                    "ListUsers rejects interval_ms < 0 before sending any user",
                    [](CheckContext& ctx) {
                      v1::ListUsersRequest request;
                      request.set_interval_ms(-5);
                      RejectsListRequest(ctx, request, "interval_ms");
                    }});
  checks.push_back({"stream.list.rejects-interval-over-ten-seconds", "L1",
                    "ListUsers rejects interval_ms > 10000 before sending any user",
                    [](CheckContext& ctx) {
                      v1::ListUsersRequest request;
                      request.set_interval_ms(10001);
                      RejectsListRequest(ctx, request, "interval_ms");
                    }});
  checks.push_back({"stream.list.accepts-interval-of-ten-seconds", "L1",
                    "ListUsers accepts interval_ms = 10000 (the limit is inclusive)",
                    ListAcceptsIntervalOfTenSeconds});
  checks.push_back({"stream.list.streams-users-after-id-in-order", "L2",
                    "ListUsers streams every user after after_id, ascending, each once",
                    ListStreamsUsersAfterIdInOrder});
  checks.push_back({"stream.list.stops-at-page-size", "L2",
                    "ListUsers sends at most page_size users, the first ones after after_id",
                    ListStopsAtPageSize});
  checks.push_back(
      {"stream.list.empty-after-the-last-id", "L2",
       "ListUsers after an id beyond every user ends OK with no users", [](CheckContext& ctx) {
         v1::ListUsersRequest request;
         request.set_after_id(INT_MAX - 1);
         ListResult listed = ListUsers(ctx, request);
         ctx.ExpectCode(listed.status, grpc::StatusCode::OK, "ListUsers with nothing to send",
                        "an empty list is OK, not NOT_FOUND");
         ctx.Expect(listed.users.empty(), "users were sent", "no users");
       }});
  checks.push_back({"stream.list.sends-users-as-produced", "L3",
                    "ListUsers sends the first user at once, not after the whole list is ready",
                    ListSendsUsersAsProduced});
  checks.push_back({"stream.list.pauses-between-users", "L3",
                    "ListUsers waits interval_ms before each user after the first",
                    ListPausesBetweenUsers});
}

}  // namespace course::harness
