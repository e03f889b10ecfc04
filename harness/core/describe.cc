#include "core/describe.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/text_format.h"
#include "google/rpc/status.pb.h"
#include "service/interceptors.h"

namespace course::harness {

std::string CodeName(grpc::StatusCode code) {
  return service::StatusCodeName(static_cast<int>(code));
}

std::optional<google::rpc::BadRequest> BadRequestOf(const grpc::Status& status) {
  if (status.error_details().empty()) return std::nullopt;
  google::rpc::Status rich;
  if (!rich.ParseFromString(status.error_details())) return std::nullopt;
  for (const auto& detail : rich.details()) {
    google::rpc::BadRequest bad_request;
    if (detail.Is<google::rpc::BadRequest>() && detail.UnpackTo(&bad_request)) {
      return bad_request;
    }
  }
  return std::nullopt;
}

std::string ViolatedFields(const grpc::Status& status) {
  std::optional<google::rpc::BadRequest> bad_request = BadRequestOf(status);
  if (!bad_request) return "";
  std::vector<std::string> fields;
  for (const auto& violation : bad_request->field_violations()) {
    fields.push_back(violation.field());
  }
  return absl::StrJoin(fields, ", ");
}

std::string DescribeStatus(const grpc::Status& status) {
  std::string text = CodeName(status.error_code());
  if (!status.error_message().empty()) {
    absl::StrAppend(&text, ": \"", status.error_message(), "\"");
  }
  if (!status.error_details().empty()) {
    if (BadRequestOf(status)) {
      absl::StrAppend(&text, " with BadRequest naming [", ViolatedFields(status), "]");
    } else {
      absl::StrAppend(&text, " with details but no BadRequest");
    }
  }
  return text;
}

std::string Describe(const google::protobuf::Message& message) {
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  printer.SetUseUtf8StringEscaping(true);
  printer.SetTruncateStringFieldLongerThan(80);
  std::string text;
  printer.PrintToString(message, &text);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return absl::StrCat(message.GetDescriptor()->name(), "{", text, "}");
}

std::optional<std::string> ServerMetadata(const grpc::ClientContext& context,
                                          const std::string& key) {
  for (const auto* metadata :
       {&context.GetServerInitialMetadata(), &context.GetServerTrailingMetadata()}) {
    auto it = metadata->find(key);
    if (it != metadata->end()) {
      return std::string(it->second.data(), it->second.size());
    }
  }
  return std::nullopt;
}

}  // namespace course::harness
