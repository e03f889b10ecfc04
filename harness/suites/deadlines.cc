// Deadlines and cancellation: ListUsers stops when the call ends (L3).
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "core/calls.h"
#include "core/describe.h"

namespace course::harness {

void AddDeadlineChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"deadline.list-ends-at-the-deadline", "L3",
                    "A slow ListUsers ends with DEADLINE_EXCEEDED when the deadline passes",
                    [](CheckContext& ctx) {
                      std::vector<v1::User> mine = MakeUsers(ctx, 6);
                      v1::ListUsersRequest request;
                      request.set_after_id(mine.front().id() - 1);
                      request.set_page_size(6);
                      request.set_interval_ms(400);
                      // 6 users 400 ms apart need 2 s; the deadline is 1 s.
                      ListResult listed = ListUsers(ctx, request, std::chrono::milliseconds(1000));
                      ctx.ExpectCode(listed.status, grpc::StatusCode::DEADLINE_EXCEEDED,
                                     "ListUsers that needs 2 s under a 1 s deadline");
                      ctx.Expect(
                          listed.users.size() >= 1 && listed.users.size() <= 4,
                          absl::StrCat(listed.users.size(), " users arrived before the deadline"),
                          "the first user at once and about two more before 1 s",
                          "send the first user without waiting");
                    }});
  checks.push_back(
      {"deadline.cancelled-lists-free-the-server", "L3",
       "Abandoned slow ListUsers calls stop at once and do not starve later calls",
       [](CheckContext& ctx) {
         std::vector<v1::User> mine = MakeUsers(ctx, 10);
         // Each of these would take 9 x 1.5 s = 13.5 s if the server kept
         // going after the client left; the clients leave after 300 ms.
         constexpr int kAbandoned = 24;
         ctx.Sent(absl::StrCat(kAbandoned, " x ListUsers{page_size: 10, interval_ms: 1500} ",
                               "each abandoned by its 300 ms deadline"));
         std::vector<std::thread> callers;
         std::atomic<int> ended_by_deadline{0};
         for (int i = 0; i < kAbandoned; ++i) {
           callers.emplace_back([&] {
             v1::ListUsersRequest request;
             request.set_after_id(mine.front().id() - 1);
             request.set_page_size(10);
             request.set_interval_ms(1500);
             auto call = ctx.NewCall(std::chrono::milliseconds(300));
             auto reader = ctx.users().ListUsers(call.get(), request);
             v1::User user;
             while (reader->Read(&user)) {
             }
             if (reader->Finish().error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
               ++ended_by_deadline;
             }
           });
         }
         for (auto& caller : callers) caller.join();
         // Now the server must still answer promptly.
         const auto start = std::chrono::steady_clock::now();
         v1::GetUserRequest request;
         request.set_id(mine.front().id());
         v1::User user;
         auto call = ctx.NewCall(std::chrono::seconds(4));
         grpc::Status status = ctx.users().GetUser(call.get(), request, &user);
         const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now() - start);
         ctx.Sent(absl::StrCat("then GetUser <- ", Describe(request)));
         ctx.Received(absl::StrCat(ended_by_deadline.load(),
                                   " slow lists ended by their deadline; ", "GetUser -> ",
                                   DescribeStatus(status), " after ", waited.count(), " ms"));
         ctx.ExpectCode(status, grpc::StatusCode::OK,
                        "GetUser right after many abandoned slow lists",
                        "the server is still busy with calls whose clients left: "
                        "stop waiting when the call is cancelled (an alarm or a "
                        "cancellable wait, not a plain sleep)");
       }});
}

}  // namespace course::harness
