#include "bench/rows.h"

#include <google/protobuf/io/coded_stream.h>

#include <nlohmann/json.hpp>

namespace course::bench {
namespace {

using nlohmann::json;

bool RowFromJson(const json& value, Row* row) {
  if (!value.is_object()) return false;
  auto id = value.find("id");
  auto name = value.find("name");
  auto score = value.find("score");
  auto active = value.find("active");
  auto tags = value.find("tags");
  if (id == value.end() || !id->is_number_integer() || name == value.end() || !name->is_string() ||
      score == value.end() || !score->is_number() || active == value.end() ||
      !active->is_boolean() || tags == value.end() || !tags->is_array()) {
    return false;
  }
  row->set_id(id->get<std::int64_t>());
  row->set_name(name->get_ref<const std::string&>());
  row->set_score(score->get<double>());
  row->set_active(active->get<bool>());
  for (const json& tag : *tags) {
    if (!tag.is_number_integer()) return false;
    row->add_tags(tag.get<std::int32_t>());
  }
  return true;
}

}  // namespace

RowData RowAt(std::int32_t i) {
  RowData row;
  row.id = 1000000 + i;
  row.name = "row " + std::to_string(i) + " of the benchmark table";
  row.score = i * 0.37 + 0.5;
  row.active = i % 3 != 0;
  row.tags = {i % 7, i % 101, i % 1009};
  return row;
}

namespace {

void SetRow(std::int32_t i, Row* row) {
  RowData data = RowAt(i);
  row->set_id(data.id);
  row->set_name(std::move(data.name));
  row->set_score(data.score);
  row->set_active(data.active);
  for (std::int32_t tag : data.tags) row->add_tags(tag);
}

}  // namespace

void FillRows(std::int32_t count, Rows* rows) {
  rows->mutable_rows()->Reserve(count);
  for (std::int32_t i = 0; i < count; ++i) SetRow(i, rows->add_rows());
}

std::string RowsJson(std::int32_t count) {
  json rows = json::array();
  for (std::int32_t i = 0; i < count; ++i) {
    RowData data = RowAt(i);
    rows.push_back(json{{"id", data.id},
                        {"name", std::move(data.name)},
                        {"score", data.score},
                        {"active", data.active},
                        {"tags", data.tags}});
  }
  return json{{"rows", std::move(rows)}}.dump();
}

bool DecodeRowsJson(std::string_view text, Rows* rows) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return false;
  auto list = value.find("rows");
  if (list == value.end() || !list->is_array()) return false;
  rows->mutable_rows()->Reserve(static_cast<int>(list->size()));
  for (const json& row : *list) {
    if (!RowFromJson(row, rows->add_rows())) return false;
  }
  return true;
}

std::int32_t RowsForProtobufBytes(std::size_t bytes) {
  // Each row adds its own length plus one byte of field tag and the varint
  // of its length (field 1 of Rows, length-delimited).
  std::size_t size = 0;
  std::int32_t count = 0;
  while (count < kMaxRows && (count == 0 || size < bytes)) {
    Row row;
    SetRow(count, &row);
    const std::size_t length = row.ByteSizeLong();
    size += 1 + google::protobuf::io::CodedOutputStream::VarintSize64(length) + length;
    ++count;
  }
  return count;
}

}  // namespace course::bench
