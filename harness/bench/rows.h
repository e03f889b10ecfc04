// The benchmark-only table of rows (rows.proto), built on each call by both
// servers from the same plain data: the gRPC server into a protobuf message,
// the REST twin into a JSON document. Neither side caches an encoding, so
// each pays its own format's cost per call, as a service reading a database
// would.
#ifndef COURSE_HARNESS_BENCH_ROWS_H_
#define COURSE_HARNESS_BENCH_ROWS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/rows.pb.h"

namespace course::bench {

// The most rows a request may ask for (well above 1 MiB of protobuf).
constexpr std::int32_t kMaxRows = 100000;

struct RowData {
  std::int64_t id = 0;
  std::string name;
  double score = 0;
  bool active = false;
  std::array<std::int32_t, 3> tags{};
};

// Row i of the table (i >= 0), the same on every call and in every format.
RowData RowAt(std::int32_t i);

// The first `count` rows, as protobuf (into `rows`) and as JSON text
// ({"rows":[{"id":..,"name":..,"score":..,"active":..,"tags":[..]}, ...]}).
void FillRows(std::int32_t count, Rows* rows);
std::string RowsJson(std::int32_t count);

// Parses the JSON form into `rows`, checking every field's type as a typed
// REST client would; false when the document does not have that shape.
bool DecodeRowsJson(std::string_view text, Rows* rows);

// The fewest rows whose protobuf encoding is at least `bytes` long (at least
// one row).
std::int32_t RowsForProtobufBytes(std::size_t bytes);

}  // namespace course::bench

#endif  // COURSE_HARNESS_BENCH_ROWS_H_
