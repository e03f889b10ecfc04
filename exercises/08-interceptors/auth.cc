// Lesson 08: the token policy (M2).
#include "auth.h"

#include "kit/kit.h"

namespace course::lesson08 {

grpc::Status CheckBearerToken(const Metadata& metadata, const std::string& token) {
  // TODO(task 3): OK when token is empty; UNAUTHENTICATED when metadata has
  //               no "authorization" key; PERMISSION_DENIED unless its value
  //               is exactly "Bearer " + token; otherwise OK.
  (void)metadata;
  (void)token;
  return course::kit::UnimplementedStatus("TODO(task 3): CheckBearerToken");
}

}  // namespace course::lesson08
