#include "wire/grpc_wire.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace course::wire {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Prefix(std::uint32_t length, bool compressed) {
  std::string prefix(5, '\0');
  prefix[0] = compressed ? 1 : 0;
  prefix[1] = static_cast<char>((length >> 24) & 0xff);
  prefix[2] = static_cast<char>((length >> 16) & 0xff);
  prefix[3] = static_cast<char>((length >> 8) & 0xff);
  prefix[4] = static_cast<char>(length & 0xff);
  return prefix;
}

std::string LengthPrefixed(const std::string& message, bool compressed) {
  return Prefix(static_cast<std::uint32_t>(message.size()), compressed) + message;
}

absl::StatusOr<std::vector<WireMessage>> SplitMessages(const std::string& data) {
  std::vector<WireMessage> messages;
  std::size_t at = 0;
  while (at < data.size()) {
    if (data.size() - at < 5) {
      return absl::InvalidArgumentError(absl::StrCat("the DATA ends with ", data.size() - at,
                                                     " bytes that are not a whole 5-byte prefix"));
    }
    const auto* p = reinterpret_cast<const unsigned char*>(data.data() + at);
    if (p[0] > 1) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "message %d: the compressed flag is 0x%02x, not 0 or 1", messages.size() + 1, p[0]));
    }
    const std::uint32_t length = (std::uint32_t{p[1]} << 24) | (p[2] << 16) | (p[3] << 8) | p[4];
    if (data.size() - at - 5 < length) {
      return absl::InvalidArgumentError(absl::StrCat(
          "message ", messages.size() + 1, ": the length prefix says ", length, " bytes but only ",
          data.size() - at - 5, " followed before the stream ended"));
    }
    messages.push_back({p[0] == 1, data.substr(at + 5, length)});
    at += 5 + length;
  }
  return messages;
}

Headers RequestHeaders(const std::string& authority, const std::string& method,
                       const Headers& extra) {
  Headers headers = {
      {":method", "POST"},
      {":scheme", "http"},
      {":path", absl::StrCat(kUserService, method)},
      {":authority", authority},
      {"content-type", "application/grpc"},
      {"te", "trailers"},
  };
  if (!method.empty() && method[0] == '/') headers[2].second = method;
  headers.insert(headers.end(), extra.begin(), extra.end());
  return headers;
}

Headers Without(Headers headers, const std::string& name) {
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [&](const Header& h) { return h.first == name; }),
                headers.end());
  return headers;
}

Headers With(Headers headers, const std::string& name, const std::string& value) {
  for (Header& header : headers) {
    if (header.first == name) {
      header.second = value;
      return headers;
    }
  }
  headers.emplace_back(name, value);
  return headers;
}

std::string PercentEncodingProblem(const std::string& value) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c > 0x7e) {
      return absl::StrFormat("byte %d is 0x%02x, which must be sent percent-encoded", i, c);
    }
    if (c == '%' &&
        (i + 2 >= value.size() || HexDigit(value[i + 1]) < 0 || HexDigit(value[i + 2]) < 0)) {
      return absl::StrFormat("byte %d is a '%%' that does not start %%XX", i);
    }
  }
  return "";
}

std::string PercentDecode(const std::string& value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '%' && i + 2 < value.size() && HexDigit(value[i + 1]) >= 0 &&
        HexDigit(value[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(value[i + 1]) * 16 + HexDigit(value[i + 2]));
      i += 2;
    } else {
      out += value[i];
    }
  }
  return out;
}

std::string PercentEncode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7e || c == '%') {
      absl::StrAppendFormat(&out, "%%%02X", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Value(const Headers& headers, const std::string& name) {
  for (const Header& header : headers) {
    if (header.first == name) return header.second;
  }
  return "";
}

bool Has(const Headers& headers, const std::string& name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const Header& h) { return h.first == name; });
}

}  // namespace course::wire
