// gradebook.html: the class at a glance for a teacher, from gradebook.json
// (course/gradebook.h) alone: the score distribution, the pass rate of every
// task as a heatmap, and each task's most common failure messages.
//
// One self-contained file: inline CSS and SVG, no scripts, nothing fetched,
// so that it opens from a mail attachment or an air-gapped share. Every
// number shown is also in a data- attribute (data-count, data-passed,
// data-graded, ...) so that a test can read them back and compare them with
// gradebook.json.
#ifndef COURSE_HARNESS_COURSE_GRADEBOOK_HTML_H_
#define COURSE_HARNESS_COURSE_GRADEBOOK_HTML_H_

#include <nlohmann/json.hpp>
#include <string>

namespace course::lessons {

std::string GradebookHtml(const nlohmann::json& book);

// `text` with & < > " ' as character references, safe in text and in
// quoted attributes.
std::string HtmlEscape(const std::string& text);

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_GRADEBOOK_HTML_H_
